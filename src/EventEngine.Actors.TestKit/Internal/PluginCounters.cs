using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Listens to the restart, poison and stop counters of one engine's own <see cref="Meter"/> instance (other engines
/// in the process use other instances of the same meter name) and keeps them per plugin.
/// </summary>
internal sealed class PluginCounters : IDisposable
{
    public const string Restarts = "event_engine.plugin.restarts";
    public const string Poison = "event_engine.events.poison";
    public const string Stops = "event_engine.plugin.stops";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Counter, string Plugin), long> _values = new();
    private readonly Action _changed;

    public PluginCounters(Meter meter, Action changed)
    {
        _changed = changed;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name is Restarts or Poison or Stops)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Get(string counter, string plugin) => _values.GetValueOrDefault((counter, plugin));

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key != "plugin" || tag.Value is not string plugin) continue;
            _values.AddOrUpdate((instrument.Name, plugin), value, (_, old) => old + value);
            _changed();
            return;
        }
    }

    public void Dispose() => _listener.Dispose();
}
