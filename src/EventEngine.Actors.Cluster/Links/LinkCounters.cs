using System.Diagnostics.Metrics;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// The links' counters, on the engine's meter (<see cref="EngineMetrics.Meter"/>): with
/// <c>event_engine.events.dropped</c> they account for every event a link carried (acknowledged + dropped = carried).
/// </summary>
internal sealed class LinkCounters(EngineMetrics metrics)
{
    private readonly Counter<long> _acknowledged = metrics.Meter.CreateCounter<long>("event_engine.cluster.events.acknowledged", "{event}",
        "Events another node acknowledged receiving from this node's link to it, per node");

    public void Acknowledged(string node, int count) => _acknowledged.Add(count, new KeyValuePair<string, object?>("node", node));
}
