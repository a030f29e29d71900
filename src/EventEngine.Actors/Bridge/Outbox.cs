using Akka.Actor;
using Akka.Event;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// The events a plugin publishes while it handles one message, on their way to its plugin subscribers: sent together
/// (one <see cref="DeliveryBatch"/> per subscriber) when the plugin is done with that message, or every
/// <c>plugins.NAME.max-batch</c> events (<see cref="DefaultBatchSize"/>), or before an event that goes another way (another route, or a subscriber matched by
/// its payload). A producing loop or a handler that publishes several events then costs each subscriber one message
/// (one enqueue, one wake-up, one dispatch) per batch instead of per event; order per publisher and subscriber is kept.
/// Only plugins take batches; the plugin's other subscribers (external sessions, host subscriptions, links to other
/// nodes) get every delivery at once, as before. Used by its plugin's thread only.
/// </summary>
internal sealed class Outbox
{
    /// <summary>Events sent in one batch at most, unless a plugin's <c>max-batch</c> says otherwise.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>The largest <c>max-batch</c> allowed (a bound on how long an event waits in a busy publisher).</summary>
    public const int MaxBatchSize = 4096;

    private readonly Delivery[] _pending;
    private int _count;
    private IActorRef[] _targets = [];

    /// <param name="batchSize">Events sent in one batch at most; 1 sends each as it comes.</param>
    public Outbox(int batchSize = DefaultBatchSize) => _pending = new Delivery[batchSize];

    /// <summary>True while deliveries wait to be sent.</summary>
    public bool Holding => _count > 0;

    /// <summary>
    /// Queues <paramref name="delivery"/> for <paramref name="targets"/> (a route's <see cref="Route.Batched"/>, whose
    /// credits the caller has taken); what was queued for other targets is sent first.
    /// </summary>
    public void Add(IActorRef[] targets, Delivery delivery)
    {
        if (!ReferenceEquals(targets, _targets))
        {
            Flush();
            _targets = targets;
        }
        _pending[_count++] = delivery;
        if (_count == _pending.Length) Flush();
    }

    /// <summary>Sends what is queued: one delivery as itself, several as one batch per subscriber.</summary>
    public void Flush()
    {
        if (_count == 0) return;
        object message = _count == 1 ? _pending[0] : new DeliveryBatch(_pending.AsSpan(0, _count).ToArray());
        Array.Clear(_pending, 0, _count);
        _count = 0;
        foreach (var target in _targets) target.Tell(message, ActorRefs.NoSender);
    }
}

/// <summary>
/// Several deliveries of one publisher for one plugin, in publishing order (shared by every subscriber of the route).
/// Each delivery is settled on its own, as if it had come alone; a batch that reaches a stopped plugin is settled by
/// the bridge, delivery by delivery, like single ones.
/// </summary>
internal sealed class DeliveryBatch(Delivery[] deliveries) : IDeadLetterSuppression
{
    public Delivery[] Deliveries { get; } = deliveries;

    public override string ToString() => $"DeliveryBatch({Deliveries.Length})";
}
