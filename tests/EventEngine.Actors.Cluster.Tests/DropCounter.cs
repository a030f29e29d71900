using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>Counts one engine's <c>event_engine.events.dropped</c> by reason, and the events other nodes acknowledged to its links.</summary>
internal sealed class DropCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new();
    private long _acknowledged;

    public DropCounter(EventEngine engine)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, engine.Metrics.Meter) && instrument.Name is "event_engine.events.dropped" or "event_engine.cluster.events.acknowledged")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "event_engine.cluster.events.acknowledged")
            {
                Interlocked.Add(ref _acknowledged, value);
                return;
            }
            foreach (var tag in tags)
                if (tag.Key == "reason") _byReason.AddOrUpdate((string)tag.Value!, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Of(string reason) => _byReason.GetValueOrDefault(reason);

    /// <summary>Every reason counted so far and the acknowledged events, for failure messages.</summary>
    public override string ToString() =>
        $"dropped {(_byReason.IsEmpty ? "nothing" : string.Join(", ", _byReason.Select(kv => $"{kv.Value} {kv.Key}")))}, acknowledged {Acknowledged}";

    /// <summary>Events other nodes acknowledged receiving from this engine's links.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public void Dispose() => _listener.Dispose();
}
