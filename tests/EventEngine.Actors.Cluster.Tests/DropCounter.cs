using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>Counts one engine's <c>event_engine.events.dropped</c> by reason.</summary>
internal sealed class DropCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new();

    public DropCounter(EventEngine engine)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, engine.Metrics.Meter) && instrument.Name == "event_engine.events.dropped")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "reason") _byReason.AddOrUpdate((string)tag.Value!, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Of(string reason) => _byReason.GetValueOrDefault(reason);

    public void Dispose() => _listener.Dispose();
}
