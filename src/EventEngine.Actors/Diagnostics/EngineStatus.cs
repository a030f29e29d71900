namespace EventEngine.Actors.Diagnostics;

/// <summary>Where an engine is in its life.</summary>
public enum EngineState
{
    /// <summary>The start-up barrier has not passed yet: plugins are getting ready, nobody produces.</summary>
    Starting,

    /// <summary>The barrier has passed; start hooks run and events flow.</summary>
    Running,

    /// <summary>CoordinatedShutdown has begun (every plugin finished, host stop, Ctrl+C).</summary>
    Stopping,

    /// <summary>The actor system has terminated: the engine does nothing any more.</summary>
    Stopped,
}

/// <summary>Where a registered external plugin's connection stands.</summary>
public enum ExternalPluginConnection
{
    /// <summary>No request has come from the plugin yet.</summary>
    NeverConnected,

    /// <summary>The plugin has a connection on its port.</summary>
    Connected,

    /// <summary>The plugin was connected and has no connection now.</summary>
    Disconnected,

    /// <summary>The session is over (the plugin quit, or was dropped by a policy); it gets no more events.</summary>
    Finished,
}

/// <summary>One registered external plugin as the engine sees it.</summary>
/// <param name="Name">The plugin's name.</param>
/// <param name="Connection">Its connection.</param>
/// <param name="QueueDepth">Events queued for it and not yet handed out.</param>
public sealed record ExternalPluginStatus(string Name, ExternalPluginConnection Connection, int QueueDepth);

/// <summary>
/// A source of events (a plugin, an external plugin, <c>host</c> code or the <c>wire</c>) paused by flow control:
/// it has as many deliveries in flight as <c>event-engine.flow-control.high-water-mark</c> allows.
/// </summary>
/// <param name="Source">The source's name.</param>
/// <param name="InFlight">Its deliveries not yet handled by their subscribers.</param>
/// <param name="HeldBy">
/// The external plugins whose queues hold its events (the cause of the pause); empty when only internal plugins
/// hold them (slow handlers, not a missing process).
/// </param>
public sealed record PausedSource(string Source, int InFlight, IReadOnlyList<string> HeldBy);

/// <summary>
/// A snapshot of an engine's health (<see cref="EventEngine.Status"/>): its state, who is paused and why, and every
/// external plugin's connection and queue. Cheap enough to take on every health probe or dashboard refresh.
/// </summary>
/// <param name="State">Where the engine is in its life.</param>
/// <param name="PausedSources">Sources paused by flow control right now.</param>
/// <param name="ExternalPlugins">Every registered external plugin, by name.</param>
public sealed record EngineStatus(EngineState State, IReadOnlyList<PausedSource> PausedSources, IReadOnlyList<ExternalPluginStatus> ExternalPlugins);
