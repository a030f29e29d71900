using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// The router's owner: keeps the subscription table (local subscribers and the prefixes outside subscribers
/// hold), publishes a new immutable snapshot to the <see cref="EventRouter"/> after every batch of changes (the
/// changes already in its mailbox, so N plugins subscribing at start-up cost one snapshot, not N), and confirms a
/// subscription only once a snapshot holding it is published. It owns the
/// <see cref="WireLink"/> (its sockets and poller thread), handed to it at creation while it may still be binding, and
/// disposes it when it stops (once bound).
/// Deliveries that end in dead letters (their subscriber stopped) return their credit here and are counted
/// (<c>subscriber-stopped</c>, or <c>engine-stopped</c> once the engine is stopping).
/// </summary>
internal sealed class ZmqBridge : ReceiveActor
{
    private readonly EventEngine _engine;
    private readonly EventRouter _router;
    private readonly EngineMetrics _metrics;
    private readonly Dictionary<IActorRef, SubscriberEntry> _subscribers = new();
    private readonly HashSet<string> _reportedStopped = new();
    private readonly List<IActorRef> _awaitingActive = new();
    private readonly List<IActorRef> _observers = new();
    private bool _publishPending;
    private ImmutableDictionary<string, byte[]> _outside = ImmutableDictionary<string, byte[]>.Empty;
    private readonly Task<WireLink?> _wire;

    public ZmqBridge(EventEngine engine, Task<WireLink?> wire)
    {
        _engine = engine;
        _router = engine.Router;
        _metrics = engine.Metrics;
        _wire = wire;
        var log = Context.GetLogger();

        Receive<Subscribe>(s =>
        {
            if (!_subscribers.ContainsKey(s.Subscriber)) Context.Watch(s.Subscriber);
            _subscribers[s.Subscriber] = new SubscriberEntry(s.Subscriber, s.Prefixes, s.ReadsFrames, s.TakesBatches);
            _awaitingActive.Add(Sender);
            PublishSoon();
        });
        Receive<Unsubscribe>(u =>
        {
            if (_subscribers.Remove(u.Subscriber)) Context.Unwatch(u.Subscriber);
            PublishSoon();
        });
        Receive<Terminated>(t =>
        {
            _observers.Remove(t.ActorRef);
            if (_subscribers.Remove(t.ActorRef)) PublishSoon();
        });
        Receive<OutsidePrefixes>(o =>
        {
            _outside = o.Prefixes;
            log.Debug("Outside subscribers now listen to {0} prefix(es)", _outside.Count);
            PublishSoon();
        });
        Receive<ObserveRouting>(o =>
        {
            _observers.Add(o.Observer);
            Context.Watch(o.Observer);
            o.Observer.Tell(new RoutingChanged(_router.Table));
        });
        Receive<PublishTable>(_ =>
        {
            _publishPending = false;
            Publish();
            foreach (var subscriber in _awaitingActive) subscriber.Tell(SubscriptionsActive.Instance);
            _awaitingActive.Clear();
        });
        Receive<SuppressedDeadLetter>(d =>
        {
            if (d.Message is Delivery delivery) Undeliverable(delivery, log);
            else if (d.Message is DeliveryBatch batch)
                foreach (var each in batch.Deliveries) Undeliverable(each, log);
        });
    }

    /// <summary>A delivery that reached a stopped subscriber (through the dead letters): settled and counted as dropped.</summary>
    private void Undeliverable(Delivery delivery, ILoggingAdapter log)
    {
        delivery.Settle();
        if (_engine.IsStopping)
        {
            _metrics.Dropped("engine-stopped");
            return;
        }
        _metrics.Dropped("subscriber-stopped");
        // Akka names the dead-letter office, not the stopped plugin, as the recipient: report per event type.
        var type = delivery.Type?.Name ?? "raw";
        if (_reportedStopped.Add(type))
            log.Info("{0} events reached a plugin that has finished or stopped and are dropped (counted in event_engine.events.dropped)", type);
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(SuppressedDeadLetter));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _router.Wire = null;
        // A start that failed while the wire was binding stops the bridge before the bind has ended.
        if (_wire.IsCompleted) DisposeWire(_wire);
        else _wire.ContinueWith(DisposeWire, TaskScheduler.Default);
    }

    private static void DisposeWire(Task<WireLink?> binding)
    {
        if (binding.IsCompletedSuccessfully) binding.Result?.Dispose(); // a bind that failed left nothing bound
    }

    private void Publish()
    {
        var table = _router.Table = new RoutingTable([.. _subscribers.Values], _outside.Values);
        foreach (var observer in _observers) observer.Tell(new RoutingChanged(table));
    }

    // Publishes once the changes already queued behind this one are applied too (one snapshot per batch).
    private void PublishSoon()
    {
        if (_publishPending) return;
        _publishPending = true;
        Self.Tell(PublishTable.Instance);
    }

    private sealed class PublishTable
    {
        public static readonly PublishTable Instance = new();
    }
}
