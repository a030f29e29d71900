using System.Globalization;
using System.Text;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Hosting;

/// <summary>
/// Engine settings a host sets in code or binds from <c>IConfiguration</c> (e.g. an <c>EventEngine</c> section of
/// appsettings.json: <c>configuration.GetSection("EventEngine").Get&lt;EventEngineOptions&gt;()</c>). Each one set
/// writes its HOCON key under <c>event-engine</c> (hocon/event-engine.conf documents them); unset ones keep the
/// configuration's value.
/// </summary>
public sealed class EventEngineOptions
{
    /// <summary><c>run-mode</c>. Under a Generic Host the default is <see cref="Configuration.RunMode.Service"/>.</summary>
    public RunMode? RunMode { get; set; }

    /// <summary><c>wire.enabled</c>: the TCP publish and subscribe ports.</summary>
    public bool? Wire { get; set; }

    /// <summary><c>wire.bind-address</c>.</summary>
    public string? BindAddress { get; set; }

    /// <summary><c>wire.publish-port</c> (0 = ephemeral).</summary>
    public int? PublishPort { get; set; }

    /// <summary><c>wire.subscribe-port</c> (0 = ephemeral).</summary>
    public int? SubscribePort { get; set; }

    /// <summary><c>flow-control.high-water-mark</c>.</summary>
    public int? HighWaterMark { get; set; }

    /// <summary><c>flow-control.low-water-mark</c>.</summary>
    public int? LowWaterMark { get; set; }

    /// <summary><c>supervision.max-restarts</c>.</summary>
    public int? MaxRestarts { get; set; }

    /// <summary><c>supervision.restart-pause</c>.</summary>
    public TimeSpan? RestartPause { get; set; }

    /// <summary>The HOCON these options write (empty when none is set).</summary>
    public string ToHocon()
    {
        var hocon = new StringBuilder();
        Add("run-mode", RunMode is { } mode ? (mode == Configuration.RunMode.Service ? "service" : "run-to-completion") : null);
        Add("wire.enabled", Wire is { } wire ? (wire ? "on" : "off") : null);
        Add("wire.bind-address", BindAddress is null ? null : $"\"{BindAddress}\"");
        Add("wire.publish-port", PublishPort);
        Add("wire.subscribe-port", SubscribePort);
        Add("flow-control.high-water-mark", HighWaterMark);
        Add("flow-control.low-water-mark", LowWaterMark);
        Add("supervision.max-restarts", MaxRestarts);
        Add("supervision.restart-pause", RestartPause is { } pause ? $"{pause.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms" : null);
        return hocon.ToString();

        void Add(string key, object? value)
        {
            if (value is not null) hocon.Append(CultureInfo.InvariantCulture, $"event-engine.{key} = {value}\n");
        }
    }
}
