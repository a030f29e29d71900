using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Diagnostics;

/// <summary>
/// The counters of one engine, in a <see cref="Meter"/> named <see cref="MeterName"/> and tagged with the
/// engine's name (several engines may share a process). Recording costs next to nothing without a listener.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>.AddMeter("EventEngine.Actors")</c>).</summary>
    public const string MeterName = "EventEngine.Actors";

    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _undecodable;
    private readonly Counter<long> _poison;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _stops;
    private readonly Counter<long> _dropped;

    internal EngineMetrics(string engineName)
    {
        Meter = new Meter(new MeterOptions(MeterName) { Tags = [new("engine", engineName)] });
        _published = Meter.CreateCounter<long>("event_engine.events.published", "{event}", "Events published, per event type");
        _delivered = Meter.CreateCounter<long>("event_engine.events.delivered", "{event}", "Events handed to subscribers (one per subscriber), per event type");
        _undecodable = Meter.CreateCounter<long>("event_engine.events.undecodable", "{frame}", "Frames that matched an event type's filter but failed to decode, per event type");
        _poison = Meter.CreateCounter<long>("event_engine.events.poison", "{event}", "Events whose handler threw (dropped; the plugin restarted), per plugin");
        _dropped = Meter.CreateCounter<long>("event_engine.events.dropped", "{event}", "Events dropped, per reason");
        _restarts = Meter.CreateCounter<long>("event_engine.plugin.restarts", "{restart}", "Plugin restarts, per plugin");
        _stops = Meter.CreateCounter<long>("event_engine.plugin.stops", "{stop}", "Plugins stopped by supervision (restart limit or failure to start), per plugin");
    }

    /// <summary>The engine's meter.</summary>
    public Meter Meter { get; }

    internal void Published(string eventType) => _published.Add(1, new KeyValuePair<string, object?>("event_type", eventType));

    internal void Delivered(string eventType, int subscribers)
    {
        if (subscribers > 0) _delivered.Add(subscribers, new KeyValuePair<string, object?>("event_type", eventType));
    }

    internal void Undecodable(string eventType) => _undecodable.Add(1, new KeyValuePair<string, object?>("event_type", eventType));

    internal void Poison(string plugin, string eventType) =>
        _poison.Add(1, new("plugin", plugin), new("event_type", eventType));

    internal void Dropped(string reason, long count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    internal void Restarted(string plugin) => _restarts.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    internal void Stopped(string plugin) => _stops.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    /// <inheritdoc />
    public void Dispose() => Meter.Dispose();
}
