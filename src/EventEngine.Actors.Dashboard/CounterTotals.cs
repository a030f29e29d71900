using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Dashboard;

/// <summary>
/// Running totals of one engine's counters, by instrument and tags, collected with a <see cref="MeterListener"/>
/// on that engine's meter only (so the engine's hot path pays for a listener only while a dashboard runs).
/// </summary>
internal sealed class CounterTotals : IDisposable
{
    private readonly ConcurrentDictionary<(string Instrument, string Tags), long> _totals = new();
    private readonly MeterListener _listener = new();

    public CounterTotals(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument is Counter<long>) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _totals.AddOrUpdate((instrument.Name, Key(tags)), value, (_, total) => total + value));
        _listener.Start();
    }

    /// <summary>A copy of every total: instrument name, its tags as <c>key=value;...</c> (sorted), total.</summary>
    public Dictionary<(string Instrument, string Tags), long> Read() => new(_totals);

    /// <summary>The value of tag <paramref name="tag"/> in a <see cref="Read"/> key, or null.</summary>
    public static string? Tag(string tags, string tag)
    {
        foreach (var pair in tags.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (pair.AsSpan(0, eq).SequenceEqual(tag)) return pair[(eq + 1)..];
        }
        return null;
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
            if (tag.Key != "engine") pairs.Add($"{tag.Key}={tag.Value}");
        pairs.Sort(StringComparer.Ordinal);
        return string.Join(';', pairs);
    }
}
