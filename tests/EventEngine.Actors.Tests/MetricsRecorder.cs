using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Tests;

/// <summary>Collects the measurements of one engine's meter (other engines in the process are ignored).</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();

    public MetricsRecorder(EventEngine engine)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, engine.Metrics.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            _measurements.Enqueue((instrument.Name, value, map));
        });
        _listener.Start();
    }

    public long Sum(string instrument, string? tag = null, string? value = null) => _measurements
        .Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value)))
        .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
