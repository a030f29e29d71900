using EventEngine.Actors.Security;
using Akka.Configuration;

namespace EventEngine.Actors.Configuration;

/// <summary>What to do with a plugin that exceeded its restart limit.</summary>
public enum RestartLimitPolicy
{
    /// <summary>Stop the plugin (it counts as finished); the rest of the engine goes on.</summary>
    Stop,

    /// <summary>Shut the whole engine down through CoordinatedShutdown.</summary>
    Shutdown,
}

/// <summary>How the engine's lifetime ends.</summary>
public enum RunMode
{
    /// <summary>The original's behaviour: the application ends when every plugin has finished.</summary>
    RunToCompletion,

    /// <summary>Runs until stopped (CoordinatedShutdown, host stop, Ctrl+C).</summary>
    Service,
}

/// <summary>Settings of the bridge's TCP side.</summary>
/// <param name="Enabled">False: no sockets at all (in-memory routing only, as in the TestKit).</param>
/// <param name="BindAddress">Interface the TCP ports bind to (<c>wire.bind-address</c>, else <c>event-engine.bind-address</c>).</param>
/// <param name="PublishPort">XSUB port (0 = ephemeral).</param>
/// <param name="SubscribePort">XPUB port (0 = ephemeral).</param>
/// <param name="HighWaterMark">zmq high-water mark of the bridge sockets.</param>
/// <param name="MaxMessageSize">Largest frame accepted from outside; a peer sending more is disconnected.</param>
public sealed record WireSettings(bool Enabled, string BindAddress, int PublishPort, int SubscribePort, int HighWaterMark, long MaxMessageSize)
{
    /// <summary>Distinct prefixes outside subscribers may hold on the subscribe port; more are refused and counted.</summary>
    public int MaxSubscriptions { get; init; } = 10000;
}

/// <summary>Supervision of plugins.</summary>
/// <param name="MaxRestarts">Restarts allowed within <paramref name="Within"/> before the limit policy applies.</param>
/// <param name="Within">The window the restarts are counted in.</param>
/// <param name="RestartPause">Pause after a restart during which the plugin's events are stashed (never dropped).</param>
/// <param name="OnRestartLimit">What happens past the limit.</param>
public sealed record SupervisionSettings(int MaxRestarts, TimeSpan Within, TimeSpan RestartPause, RestartLimitPolicy OnRestartLimit);

/// <summary>Credit-based flow control.</summary>
/// <param name="Enabled">False: sources never wait (memory is then unbounded under a slow consumer).</param>
/// <param name="HighWaterMark">Deliveries in flight per source at which it is paused.</param>
/// <param name="LowWaterMark">Deliveries in flight at which a paused source resumes.</param>
public sealed record FlowControlSettings(bool Enabled, int HighWaterMark, int LowWaterMark)
{
    /// <summary>How often a source paused by an external plugin's queue is reported (a WARN naming both).</summary>
    public TimeSpan PauseWarningInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>The engine's settings, read from the <c>event-engine</c> HOCON section (see hocon/event-engine.conf).</summary>
public sealed record EngineSettings(
    RunMode RunMode,
    WireSettings Wire,
    FlowControlSettings FlowControl,
    SupervisionSettings Supervision,
    TimeSpan StartupTimeout,
    TimeSpan StartupProgressInterval,
    string PluginDispatcher,
    Config Section)
{
    /// <summary>The HOCON path of the engine's section.</summary>
    public const string Root = "event-engine";

    /// <summary>CURVE encryption of every TCP endpoint (<c>security.curve</c>); off by default.</summary>
    public CurveSettings Curve { get; init; } = CurveSettings.Disabled;

    /// <summary>How long shutdown waits for deliveries in flight to be handled (<c>shutdown.drain-timeout</c>).</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>An external plugin's queue depth above which the engine's health check reports degraded (<c>health.degraded-queue-depth</c>).</summary>
    public int DegradedQueueDepth { get; init; } = 10000;

    /// <summary>The environment variable that sets <see cref="BindAddress"/> when <c>event-engine.bind-address</c> is empty.</summary>
    public const string BindAddressVariable = "EVENT_ENGINE_BIND_ADDRESS";

    /// <summary>
    /// The interface every TCP port binds to unless its own <c>bind-address</c> says otherwise: <c>event-engine.bind-address</c>,
    /// else the environment variable <c>EVENT_ENGINE_BIND_ADDRESS</c>, else 127.0.0.1.
    /// </summary>
    /// <exception cref="EventEngineException">The address is not an IP literal (or *).</exception>
    public string BindAddress
    {
        get
        {
            if (FirstNonEmpty(Environment.GetEnvironmentVariable(BindAddressVariable)) is { } variable && FirstNonEmpty(Section.GetString("bind-address")) is null)
                return IsIpLiteral(variable) ? variable : throw new EventEngineException($"{BindAddressVariable}={variable} is not valid: expected {IpLiteral}");
            return BindAddressAt("bind-address", fallback: "127.0.0.1");
        }
    }

    /// <summary>The bind address at <c>event-engine.KEY</c>, or <see cref="BindAddress"/> when that key is empty.</summary>
    /// <exception cref="EventEngineException">The address is not an IP literal (or *).</exception>
    internal string BindAddressAt(string key) => BindAddressAt(key, null);

    // Bind addresses are never looked up in DNS (a lookup blocks the thread that binds, and may take seconds).
    private const string IpLiteral = "an IP address such as 127.0.0.1, 0.0.0.0 or ::, or * (host names are not resolved when binding)";

    private string BindAddressAt(string key, string? fallback)
    {
        var value = FirstNonEmpty(Section.GetString(key));
        if (value is null) return fallback ?? BindAddress;
        return IsIpLiteral(value) ? value : throw Setting.Invalid(key, $"\"{value}\"", IpLiteral);
    }

    private static bool IsIpLiteral(string address) => address == "*" || System.Net.IPAddress.TryParse(address.Trim('[', ']'), out _);

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    /// <summary>Reads the settings from an ActorSystem configuration (which has the reference config as fallback).</summary>
    public static EngineSettings From(Config config)
    {
        var c = config.GetConfig(Root) ?? throw new EventEngineException($"configuration has no '{Root}' section");
        var flowControl = new FlowControlSettings(
            Setting.Bool(c, "flow-control.enabled"),
            Positive(c, "flow-control.high-water-mark"),
            Setting.Int(c, "flow-control.low-water-mark"))
        {
            PauseWarningInterval = PositiveDuration(c, "flow-control.pause-warning-interval"),
        };
        var settings = new EngineSettings(
            Setting.Enum<RunMode>(c, "run-mode"),
            new WireSettings(
                Setting.Bool(c, "wire.enabled"),
                "",
                Port(c, "wire.publish-port"),
                Port(c, "wire.subscribe-port"),
                Positive(c, "wire.high-water-mark"),
                Setting.ByteSize(c, "wire.max-message-size") ?? 16 * 1024 * 1024)
            {
                MaxSubscriptions = Positive(c, "wire.max-subscriptions"),
            },
            flowControl,
            new SupervisionSettings(
                Setting.Int(c, "supervision.max-restarts"),
                Setting.Duration(c, "supervision.within"),
                Setting.Duration(c, "supervision.restart-pause"),
                Setting.Enum<RestartLimitPolicy>(c, "supervision.on-restart-limit")),
            PositiveDuration(c, "startup.timeout"),
            PositiveDuration(c, "startup.progress-interval"),
            c.GetString("plugin-dispatcher"),
            c)
        {
            Curve = CurveSettings.From(c),
            DegradedQueueDepth = Positive(c, "health.degraded-queue-depth"),
            ShutdownDrainTimeout = Setting.Duration(c, "shutdown.drain-timeout"),
        };
        return settings with { Wire = settings.Wire with { BindAddress = settings.BindAddressAt("wire.bind-address") } };
    }

    /// <summary>The dispatcher of a plugin: <c>plugins.NAME.dispatcher</c> if set, else <see cref="PluginDispatcher"/>.</summary>
    public string DispatcherFor(string plugin)
    {
        var path = $"plugins.\"{plugin}\".dispatcher";
        return Section.HasPath(path) ? Section.GetString(path) : PluginDispatcher;
    }

    /// <summary>How many async handlers of a plugin may run at once: <c>plugins.NAME.max-concurrency</c>, 1 by default.</summary>
    public int MaxConcurrencyFor(string plugin) => PluginInt(plugin, "max-concurrency", 1, 1, int.MaxValue);

    /// <summary>
    /// The most events a plugin sends other plugins in one batch (<c>plugins.NAME.max-batch</c>, 64 by default; 1 sends
    /// each event on its own as it is published).
    /// </summary>
    public int MaxBatchFor(string plugin) =>
        PluginInt(plugin, "max-batch", Bridge.Outbox.DefaultBatchSize, 1, Bridge.Outbox.MaxBatchSize);

    // plugins.NAME.KEY, a whole number within min..max (no upper bound when max is int.MaxValue), or fallback when unset.
    private int PluginInt(string plugin, string key, int fallback, int min, int max)
    {
        var path = $"plugins.\"{plugin}\".{key}";
        if (!Section.HasPath(path)) return fallback;
        var value = Setting.Int(Section, path);
        if (value >= min && value <= max) return value;
        var allowed = max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";
        throw new EventEngineException($"event-engine.{path} = {value} must be {allowed}");
    }

    private static int Port(Config c, string path)
    {
        var port = Setting.Int(c, path);
        if (port is < 0 or > 65535) throw Setting.Invalid(c, path, "a TCP port (0..65535, 0 = ephemeral)");
        return port;
    }

    private static int Positive(Config c, string path)
    {
        var value = Setting.Int(c, path);
        if (value < 1) throw Setting.Invalid(c, path, "a whole number of at least 1");
        return value;
    }

    private static TimeSpan PositiveDuration(Config c, string path)
    {
        var value = Setting.Duration(c, path);
        if (value <= TimeSpan.Zero) throw Setting.Invalid(c, path, "a positive duration");
        return value;
    }
}
