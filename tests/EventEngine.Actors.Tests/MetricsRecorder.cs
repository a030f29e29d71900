using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Tests;

/// <summary>
/// Collects the measurements of one engine's meter (other engines in the process are ignored). When plugins produce
/// from their start hooks, create it before the engine starts and name the engine with <see cref="Watch"/>: an
/// engine's first measurements can come before the line after <c>EventEngine.Start</c> runs.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(Meter Meter, string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private Meter? _meter;

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            _measurements.Enqueue((instrument.Meter, instrument.Name, value, map));
        });
        _listener.Start();
    }

    public MetricsRecorder(EventEngine engine) : this() => Watch(engine);

    /// <summary>Records the measurements of <paramref name="metrics"/> (a router or bridge tested without an engine).</summary>
    public MetricsRecorder(EngineMetrics metrics) : this() => Watch(metrics);

    /// <summary>The engine whose measurements <see cref="Sum"/> counts.</summary>
    public void Watch(EventEngine engine) => Watch(engine.Metrics);

    /// <summary>The metrics (of an engine or of one part built alone) whose measurements <see cref="Sum"/> counts.</summary>
    public void Watch(EngineMetrics metrics) => _meter = metrics.Meter;

    public long Sum(string instrument, string? tag = null, string? value = null)
    {
        var meter = _meter ?? throw new InvalidOperationException("MetricsRecorder.Watch(engine) was not called");
        return _measurements
            .Where(m => ReferenceEquals(m.Meter, meter) && m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value)))
            .Sum(m => m.Value);
    }

    public void Dispose() => _listener.Dispose();
}
