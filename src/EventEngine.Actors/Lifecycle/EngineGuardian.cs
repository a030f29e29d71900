using Akka.Actor;
using Akka.Event;

namespace EventEngine.Actors.Lifecycle;

/// <summary>
/// Parent of the engine's infrastructure actors (bridge, plugin supervisor, gateway): a system actor, so no user
/// actor name can clash with them. An infrastructure actor that throws owns sockets, threads or the start-up
/// barrier, so it is stopped, never silently restarted; one that ends before the engine is stopping takes the
/// engine down through CoordinatedShutdown (escalation) with an error naming it.
/// </summary>
internal sealed class EngineGuardian : ReceiveActor
{
    public EngineGuardian(EventEngine engine)
    {
        var log = Context.GetLogger();
        Receive<Spawn>(s =>
        {
            var child = Context.ActorOf(s.Props, s.Name);
            Context.Watch(child);
            Sender.Tell(child);
        });
        Receive<Terminated>(t =>
        {
            if (engine.IsStopping) return;
            log.Error("Event engine {0}: its {1} stopped unexpectedly (see the error before this line); shutting the engine down",
                engine.Name, t.ActorRef.Path.Name);
            CoordinatedShutdown.Get(Context.System).Run(new InfrastructureFailedReason(t.ActorRef.Path.Name));
        });
    }

    /// <summary>Creates one infrastructure actor as a child; answered with its <see cref="IActorRef"/>.</summary>
    public sealed record Spawn(Props Props, string Name);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}

/// <summary>CoordinatedShutdown reason: an infrastructure actor of the engine (bridge, supervisor, gateway) failed.</summary>
public sealed class InfrastructureFailedReason : CoordinatedShutdown.Reason
{
    internal InfrastructureFailedReason(string actor) => Actor = actor;

    /// <summary>The actor that failed.</summary>
    public string Actor { get; }

    /// <inheritdoc />
    public override int ExitCode => 1;

    /// <inheritdoc />
    public override string ToString() => $"the engine's {Actor} failed";
}
