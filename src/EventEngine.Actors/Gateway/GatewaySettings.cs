using Akka.Configuration;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Gateway;

/// <summary>What happens to an external plugin that disconnected and did not come back within the timeout.</summary>
internal enum DisconnectPolicy
{
    /// <summary>Log a warning and keep queueing its events; flow control pauses its publishers once the window is full.</summary>
    KeepQueueing,

    /// <summary>Drop its queued events (counted), end its session and count it as finished.</summary>
    DropAndFinish,
}

/// <summary>What happens to a plugin process that keeps dying during its start-up.</summary>
internal enum CrashLoopPolicy
{
    /// <summary>Stop restarting it and shut the engine down (exit code 1).</summary>
    Stop,

    /// <summary>Keep restarting it with backoff (the ERROR is logged once).</summary>
    KeepRetrying,
}

/// <summary>How the engine runs plugin processes (<c>event-engine.gateway.processes</c>).</summary>
internal sealed record ProcessSettings(
    string Interpreter,
    IReadOnlyList<string> PythonPath,
    bool DieWithEngine,
    string Setpriv,
    TimeSpan BackoffMin,
    TimeSpan BackoffMax,
    TimeSpan StopTimeout,
    int CrashLoopAfter,
    CrashLoopPolicy OnCrashLoop);

/// <summary>The gateway's settings (<c>event-engine.gateway</c>).</summary>
internal sealed record GatewaySettings(
    string BindAddress,
    long MaxMessageSize,
    TimeSpan DisconnectTimeout,
    DisconnectPolicy OnDisconnectTimeout,
    ProcessSettings Processes)
{
    public static GatewaySettings From(EngineSettings engine)
    {
        var c = engine.Section.GetConfig("gateway") ?? throw new EventEngineException("configuration has no 'event-engine.gateway' section");
        var policy = c.GetString("on-disconnect-timeout") switch
        {
            "keep-queueing" => DisconnectPolicy.KeepQueueing,
            "drop-and-finish" => DisconnectPolicy.DropAndFinish,
            var other => throw new EventEngineException($"event-engine.gateway.on-disconnect-timeout = '{other}' is not one of: keep-queueing, drop-and-finish"),
        };
        var p = c.GetConfig("processes");
        var min = p.GetTimeSpan("restart-backoff.min");
        var max = p.GetTimeSpan("restart-backoff.max");
        if (min <= TimeSpan.Zero || max < min)
            throw new EventEngineException($"event-engine.gateway.processes.restart-backoff needs 0 < min <= max, got {min}..{max}");
        return new GatewaySettings(
            engine.BindAddressAt("gateway.bind-address"),
            engine.Wire.MaxMessageSize,
            Positive(c.GetTimeSpan("disconnect-timeout"), "disconnect-timeout"),
            policy,
            new ProcessSettings(
                p.GetString("interpreter") ?? "",
                [.. p.GetStringList("python-path") ?? []],
                p.GetBoolean("die-with-engine"),
                p.GetString("setpriv") ?? "",
                min,
                max,
                Positive(p.GetTimeSpan("stop-timeout"), "processes.stop-timeout"),
                AtLeastOne(p.GetInt("crash-loop-after"), "processes.crash-loop-after"),
                p.GetString("on-crash-loop") switch
                {
                    "stop" => CrashLoopPolicy.Stop,
                    "keep-retrying" => CrashLoopPolicy.KeepRetrying,
                    var other => throw new EventEngineException($"event-engine.gateway.processes.on-crash-loop = '{other}' is not one of: stop, keep-retrying"),
                }));
    }

    /// <summary>The external plugins registered under <c>event-engine.external-plugins</c>.</summary>
    public static IReadOnlyList<ExternalPlugin> PluginsFrom(Config section)
    {
        if (!section.HasPath("external-plugins")) return [];
        var plugins = new List<ExternalPlugin>();
        foreach (var name in section.GetValue("external-plugins").GetObject().Items.Keys)
        {
            var path = $"external-plugins.\"{name}\"";
            var c = section.GetConfig(path);
            if (c is null || !c.HasPath("port"))
                throw new EventEngineException($"event-engine.{path} needs at least 'port' and 'subscriptions'");
            var port = c.GetInt("port");
            if (port is < 0 or > 65535) throw new EventEngineException($"event-engine.{path}.port = {port} is not a TCP port (0..65535, 0 = ephemeral)");
            plugins.Add(new ExternalPlugin(name, port, [.. c.GetStringList("subscriptions") ?? []])
            {
                Command = c.HasPath("command") ? [.. c.GetStringList("command")] : null,
                Interpreter = c.HasPath("interpreter") ? c.GetString("interpreter") : null,
                WorkingDirectory = c.HasPath("working-directory") ? c.GetString("working-directory") : null,
                Environment = c.HasPath("environment")
                    ? c.GetValue("environment").GetObject().Items.ToDictionary(kv => kv.Key, kv => kv.Value.GetString())
                    : null,
            });
        }
        return plugins;
    }

    private static int AtLeastOne(int value, string path) => value >= 1
        ? value
        : throw new EventEngineException($"event-engine.gateway.{path} = {value} must be at least 1");

    private static TimeSpan Positive(TimeSpan value, string path) => value > TimeSpan.Zero
        ? value
        : throw new EventEngineException($"event-engine.gateway.{path} = {value} must be positive");
}
