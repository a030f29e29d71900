namespace EventEngine.Actors.TestKit;

/// <summary>How a plugin under test is started.</summary>
public sealed record PluginTestOptions
{
    /// <summary>The plugin's name (its actor name and key under <c>event-engine.plugins</c>); default: the type's name, or <c>plugin</c> for Props.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// HOCON overriding the engine's settings for this test, e.g. <c>event-engine.supervision.max-restarts = 2</c>.
    /// The test kit sets <c>event-engine.wire.enabled = off</c> (no sockets) and <c>run-mode = service</c>, which this may override.
    /// </summary>
    public string? Hocon { get; init; }

    /// <summary>Hold the start-up barrier: the plugin's start hook runs only when the test calls <c>StartPlugins()</c>.</summary>
    public bool HoldStart { get; init; }

    /// <summary>Send events through their real codec and check published events survive theirs (default on).</summary>
    public bool CodecRoundTrip { get; init; } = true;

    /// <summary>Further engine declarations, e.g. event types registered with <c>AddEventType</c>.</summary>
    public Action<EventEngineBuilder>? Configure { get; init; }

    /// <summary>
    /// Services the plugin's constructor takes (e.g. a fake clock): the arguments given fill the parameters of their
    /// types, the others are resolved from these, as under Akka.Hosting. Null: the arguments alone.
    /// </summary>
    public IServiceProvider? Services { get; init; }
}

/// <summary>How a whole engine under test is started.</summary>
public sealed record EngineTestOptions
{
    /// <summary>
    /// HOCON overriding the engine's settings for this test. The test kit sets <c>run-mode = service</c> and, with
    /// <see cref="Wire"/>, ephemeral ports (<c>wire { publish-port = 0, subscribe-port = 0 }</c>).
    /// </summary>
    public string? Hocon { get; init; }

    /// <summary>Run the bridge's TCP side on ephemeral loopback ports (default); off: in memory only, no sockets.</summary>
    public bool Wire { get; init; } = true;

    /// <summary>Hold the start-up barrier until the test calls <c>StartPlugins()</c>.</summary>
    public bool HoldStart { get; init; }

    /// <summary>Send events through their real codec and check published events survive theirs (default on).</summary>
    public bool CodecRoundTrip { get; init; } = true;
}
