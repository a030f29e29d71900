using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Supervision;

/// <summary>
/// One-for-one restarts within the HOCON limits; a plugin that cannot even be created is stopped at once.
/// Failures are logged by the plugin itself (with the event that caused them), so Akka's own log line is off.
/// Remembers which plugins it stopped, so the supervisor can say why a plugin ended.
/// </summary>
internal sealed class PluginSupervisionStrategy : OneForOneStrategy
{
    private readonly Dictionary<IActorRef, Exception> _stoppedBySupervision = new();

    public PluginSupervisionStrategy(SupervisionSettings settings)
        : base(settings.MaxRestarts, (int)settings.Within.TotalMilliseconds, Decide, loggingEnabled: false)
    {
    }

    /// <summary>
    /// If supervision stopped <paramref name="plugin"/> (which has terminated): counts and logs why, and shuts the
    /// actor system down when <c>supervision.on-restart-limit = shutdown</c>. False if it stopped on its own.
    /// </summary>
    public bool ReportIfStopped(IActorRef plugin, string name, EventEngine engine, ILoggingAdapter log)
    {
        if (!_stoppedBySupervision.Remove(plugin, out var cause)) return false;
        engine.Metrics.Stopped(name);
        var s = engine.Settings.Supervision;
        if (cause is ActorInitializationException)
            log.Error(cause.InnerException ?? cause, "Plugin {0} was stopped: it could not be created", name);
        else
            log.Error(cause, "Plugin {0} was stopped: it failed more than {1} time(s) within {2} (event-engine.supervision.on-restart-limit = {3})",
                name, s.MaxRestarts, s.Within, s.OnRestartLimit.ToString().ToLowerInvariant());
        if (s.OnRestartLimit == RestartLimitPolicy.Shutdown)
            CoordinatedShutdown.Get(engine.System).Run(new PluginFailedReason(name));
        return true;
    }

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        // As OneForOneStrategy does, but remembering the plugins it stops.
        if (restart && stats.RequestRestartPermission(MaxNumberOfRetries, WithinTimeRangeMilliseconds))
        {
            RestartChild(child, cause, suspendFirst: false);
            return;
        }
        _stoppedBySupervision[child] = cause;
        context.Stop(child);
    }

    private static Directive Decide(Exception e) => e switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };
}
