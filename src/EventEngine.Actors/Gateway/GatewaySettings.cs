using Akka.Configuration;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Gateway.Transports;

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
    PluginTransport Transport,
    int MaxConnectionsPerPort,
    TimeSpan DisconnectTimeout,
    DisconnectPolicy OnDisconnectTimeout,
    ProcessSettings Processes)
{
    public static GatewaySettings From(EngineSettings engine)
    {
        var c = engine.Section.GetConfig("gateway") ?? throw new EventEngineException("configuration has no 'event-engine.gateway' section");
        var s = engine.Section;
        var min = Setting.Duration(s, "gateway.processes.restart-backoff.min");
        var max = Setting.Duration(s, "gateway.processes.restart-backoff.max");
        if (min <= TimeSpan.Zero || max < min)
            throw Setting.Invalid("gateway.processes.restart-backoff", $"{{ min = {min}, max = {max} }}", "0 < min <= max");
        var p = c.GetConfig("processes");
        return new GatewaySettings(
            engine.BindAddressAt("gateway.bind-address"),
            engine.Wire.MaxMessageSize,
            PortTransports.Parse(c.GetString("plugin-transport") ?? ""),
            AtLeastOne(s, "gateway.max-connections-per-port"),
            Positive(s, "gateway.disconnect-timeout"),
            Setting.Enum<DisconnectPolicy>(s, "gateway.on-disconnect-timeout"),
            new ProcessSettings(
                p.GetString("interpreter") ?? "",
                [.. p.GetStringList("python-path") ?? []],
                Setting.Bool(s, "gateway.processes.die-with-engine"),
                p.GetString("setpriv") ?? "",
                min,
                max,
                Positive(s, "gateway.processes.stop-timeout"),
                AtLeastOne(s, "gateway.processes.crash-loop-after"),
                Setting.Enum<CrashLoopPolicy>(s, "gateway.processes.on-crash-loop")));
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
            var port = Setting.Int(section, $"{path}.port");
            if (port is < 0 or > 65535) throw Setting.Invalid(section, $"{path}.port", "a TCP port (0..65535, 0 = ephemeral)");
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

    private static int AtLeastOne(Config section, string path)
    {
        var value = Setting.Int(section, path);
        return value >= 1 ? value : throw Setting.Invalid(section, path, "a whole number of at least 1");
    }

    private static TimeSpan Positive(Config section, string path)
    {
        var value = Setting.Duration(section, path);
        return value > TimeSpan.Zero ? value : throw Setting.Invalid(section, path, "a positive duration");
    }
}
