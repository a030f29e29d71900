using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Supervision;

/// <summary>Tells the supervisor that a participant outside its children (an external plugin) is ready.</summary>
internal sealed record ParticipantReady(string Name);

/// <summary>Tells the supervisor that a participant outside its children (an external plugin) has finished.</summary>
internal sealed record ParticipantFinished(string Name);

/// <summary>
/// Parent of every internal plugin. It restarts failing plugins (limits from HOCON), holds the start-up
/// barrier (no start hook runs until every plugin and registered external plugin is ready, subscriptions
/// active), and tracks who has finished: when everyone has, the engine completes.
/// </summary>
internal sealed class PluginSupervisor : ReceiveActor, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly PluginSupervisionStrategy _strategy;
    private readonly Dictionary<IActorRef, string> _plugins = new();
    private readonly HashSet<string> _waitingForReady = new();
    private readonly HashSet<string> _pluginsNotReady;
    private readonly HashSet<string> _running = new();
    private readonly IReadOnlySet<string> _lateParticipants;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _started;

    // lateParticipants: those that wait for all the others before they can be ready (the cluster).
    public PluginSupervisor(EventEngine engine, IReadOnlyList<PluginRegistration> plugins, IReadOnlyList<string> externalParticipants,
        IReadOnlySet<string>? lateParticipants = null)
    {
        _engine = engine;
        _lateParticipants = lateParticipants ?? new HashSet<string>();
        _strategy = new PluginSupervisionStrategy(engine.Settings.Supervision);
        foreach (var registration in plugins)
        {
            var child = Context.ActorOf(registration.RunProps(engine.Settings), registration.Name);
            Context.Watch(child);
            _plugins[child] = registration.Name;
        }
        _pluginsNotReady = plugins.Select(p => p.Name).ToHashSet();
        _waitingForReady.UnionWith(plugins.Select(p => p.Name).Concat(externalParticipants));
        _running.UnionWith(_waitingForReady);

        Receive<PluginReady>(_ => Ready(NameOf(Sender)));
        Receive<ParticipantReady>(r => Ready(r.Name));
        Receive<PluginFinished>(_ =>
        {
            var name = NameOf(Sender);
            engine.OnPluginFinished(name);
            Finished(name);
        });
        Receive<ParticipantFinished>(f => Finished(f.Name));
        Receive<Terminated>(t => PluginTerminated(t.ActorRef));
        Receive<BarrierProgress>(_ => _log.Info("Start-up barrier: waiting for {0}", string.Join(", ", _waitingForReady)));
        Receive<BarrierTimeout>(_ =>
        {
            _log.Error("Start-up barrier timed out after {0} (event-engine.startup.timeout): {1} not ready; starting {2} without {3}",
                engine.Settings.StartupTimeout, string.Join(", ", _waitingForReady), Names(_running.Except(_waitingForReady)), Names(_waitingForReady));
            Start();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("progress", BarrierProgress.Instance, _engine.Settings.StartupProgressInterval);
        Timers.StartSingleTimer("timeout", BarrierTimeout.Instance, _engine.Settings.StartupTimeout);
        CheckPluginsCreated();
        CheckBarrier();
        CheckCompletion();
    }

    private string NameOf(IActorRef plugin) => _plugins.TryGetValue(plugin, out var name) ? name : plugin.Path.Name;

    private void Ready(string name)
    {
        if (_pluginsNotReady.Remove(name)) CheckPluginsCreated();
        if (_waitingForReady.Remove(name)) CheckBarrier();
    }

    // A plugin is ready once its constructor ran and its subscriptions are active: the event types it declares exist.
    private void CheckPluginsCreated()
    {
        if (_pluginsNotReady.Count == 0) _engine.OnPluginsCreated();
    }

    private void CheckBarrier()
    {
        if (_waitingForReady.IsSubsetOf(_lateParticipants)) _engine.OnLocalParticipantsReady();
        if (!_started && _waitingForReady.Count == 0) Start();
    }

    private void Start()
    {
        _started = true;
        _engine.OnPluginsCreated(); // the barrier timed out waiting for some: external plugins subscribe with what is known
        Timers.CancelAll();
        _engine.OnLocalParticipantsReady(); // after a barrier timeout too: late participants go on with what is ready
        foreach (var plugin in _plugins.Keys) plugin.Tell(StartPlugin.Instance);
        if (_waitingForReady.Count == 0) _log.Info("All {0} plugin(s) ready; started", _running.Count);
        _engine.OnStarted();
    }

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "nobody";

    private void Finished(string name)
    {
        if (_running.Remove(name)) _log.Info("Plugin {0} finished", name);
        CheckCompletion();
    }

    private void PluginTerminated(IActorRef plugin)
    {
        var name = NameOf(plugin);
        _plugins.Remove(plugin);
        if (!_strategy.ReportIfStopped(plugin, name, _engine, _log) && _running.Contains(name))
        {
            _log.Warning("Plugin {0} stopped without saying it had finished; it counts as finished", name);
        }
        Ready(name);
        _running.Remove(name);
        CheckCompletion();
    }

    private void CheckCompletion()
    {
        if (_running.Count == 0) _engine.OnAllFinished();
    }

    private sealed class BarrierProgress
    {
        public static readonly BarrierProgress Instance = new();
    }

    private sealed class BarrierTimeout
    {
        public static readonly BarrierTimeout Instance = new();
    }
}

/// <summary>CoordinatedShutdown reason: a plugin exceeded its restart limit and the policy is shutdown.</summary>
public sealed class PluginFailedReason : CoordinatedShutdown.Reason
{
    internal PluginFailedReason(string plugin) => Plugin = plugin;

    /// <summary>The plugin that failed.</summary>
    public string Plugin { get; }

    /// <inheritdoc />
    public override int ExitCode => 1;

    /// <inheritdoc />
    public override string ToString() => $"plugin {Plugin} exceeded its restart limit";
}
