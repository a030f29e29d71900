using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>
/// Reads one engine's meter with a <see cref="MeterListener"/> (other engines in the process are ignored): counters as
/// they are recorded, gauges when <see cref="Gauge"/> asks for them. It listens from before the engine starts (plugins
/// publish from their start hooks, which may run before <c>EventEngine.Start</c> has returned) and counts the engine
/// named with <see cref="Watch"/>.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(Meter Meter, string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly object _gaugeLock = new();
    private List<(Meter Meter, string Instrument, long Value, Dictionary<string, object?> Tags)>? _gauges;
    private Meter? _meter;

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var tag in tags) map[tag.Key] = tag.Value;
        if (instrument is ObservableInstrument<int> or ObservableInstrument<long>)
        {
            lock (_gaugeLock) _gauges?.Add((instrument.Meter, instrument.Name, value, map));
            return;
        }
        _measurements.Enqueue((instrument.Meter, instrument.Name, value, map));
    }

    /// <summary>The engine whose measurements are read.</summary>
    public void Watch(EventEngine engine) => _meter = engine.Metrics.Meter;

    private bool Ours(Meter meter) => ReferenceEquals(meter, _meter ?? throw new InvalidOperationException("MetricsRecorder.Watch(engine) was not called"));

    /// <summary>The sum of a counter's measurements, optionally only those with a tag of the given value.</summary>
    public long Sum(string instrument, string? tag = null, string? value = null, string? tag2 = null, string? value2 = null) => _measurements
        .Where(m => Ours(m.Meter) && m.Instrument == instrument && Matches(m.Tags, tag, value) && Matches(m.Tags, tag2, value2))
        .Sum(m => m.Value);

    /// <summary>Every reason an instrument was recorded with, and its sum (for failure messages).</summary>
    public string Describe(string instrument, string tag) => string.Join(", ", _measurements
        .Where(m => Ours(m.Meter) && m.Instrument == instrument)
        .GroupBy(m => m.Tags.GetValueOrDefault(tag)?.ToString())
        .Select(g => $"{g.Key}={g.Sum(m => m.Value)}"));

    /// <summary>Collects the gauges now and returns the value of <paramref name="instrument"/> for the tag, or null if not reported.</summary>
    public long? Gauge(string instrument, string? tag = null, string? value = null)
    {
        List<(Meter Meter, string Instrument, long Value, Dictionary<string, object?> Tags)> collected;
        lock (_gaugeLock)
        {
            _gauges = new();
            _listener.RecordObservableInstruments();
            collected = _gauges;
            _gauges = null;
        }
        var hits = collected.Where(m => Ours(m.Meter) && m.Instrument == instrument && Matches(m.Tags, tag, value)).ToList();
        return hits.Count == 0 ? null : hits.Sum(m => m.Value);
    }

    private static bool Matches(Dictionary<string, object?> tags, string? tag, string? value) =>
        tag is null || Equals(tags.GetValueOrDefault(tag)?.ToString(), value);

    public void Dispose() => _listener.Dispose();
}
