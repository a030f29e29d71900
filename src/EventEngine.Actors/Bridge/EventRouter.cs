using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// The publish path, callable from any thread: reads the bridge's current routing snapshot, hands the event to
/// local subscribers in memory (no serialisation, no socket hop), and puts it on the wire only when an outside
/// subscriber listens to its prefix. One publisher's events keep their order for every subscriber.
/// </summary>
internal sealed class EventRouter
{
    private readonly EngineMetrics _metrics;
    private readonly ILoggingAdapter _log;
    private RoutingTable _table = RoutingTable.Empty;

    public EventRouter(EventRegistry registry, EngineMetrics metrics, ILoggingAdapter log)
    {
        Registry = registry;
        _metrics = metrics;
        _log = log;
    }

    public EventRegistry Registry { get; }

    public RoutingTable Table
    {
        get => Volatile.Read(ref _table);
        set => Volatile.Write(ref _table, value);
    }

    /// <summary>Where frames for outside subscribers go (the bridge's wire), if the engine has one.</summary>
    public Action<byte[]>? Wire { get; set; }

    /// <summary>The node named in trace spans (the actor system's name).</summary>
    public string Node { get; init; } = "";

    /// <summary>
    /// Publishes a typed event for <c>publisher</c> (a plugin's name, <c>host</c>, <c>wire</c>: a tag of the published
    /// counter). Returns how many local subscribers it was handed to. A subscriber publishing from a handler passes the
    /// credits it holds (<paramref name="held"/>): the new deliveries take those of <paramref name="credit"/> first. A plugin
    /// publishing while it handles a message passes its <paramref name="outbox"/>: plugin subscribers get the event with
    /// the others it publishes then (<see cref="Outbox"/>).
    /// </summary>
    public int Publish(EventType type, object @event, CreditWindow credit, string publisher = "host", CreditReturns? held = null, Outbox? outbox = null)
    {
        var route = Table.RouteFor(type);
        using var span = EngineTracing.StartPublish(type.Name, Node);
        var delivery = Delivery.Create(@event, type, credit, traceParent: span, keepFrame: route.KeepsFrame);
        _metrics.Published(type.Name, publisher);
        // The wire first: an event a local subscriber publishes in reaction must not reach outside before its cause.
        if (route.NeedsFrame && Wire is { } wire && route.GoesOutside(delivery.Frame)) wire(delivery.Frame);
        return Deliver(route, delivery, held, outbox);
    }

    /// <summary>
    /// Publishes a frame that came from outside (a TCP publisher or an external plugin): decoded as the registered
    /// type with the longest matching filter, else delivered raw. A frame that fails to decode is logged, counted
    /// and dropped. <paramref name="toWire"/> also offers it to outside subscribers. Its publish span is a child of
    /// <paramref name="trace"/> when given (a traceparent that came with it), else of the current span.
    /// </summary>
    public int PublishFrame(byte[] frame, CreditWindow credit, bool toWire, string publisher = "host", ActivityContext trace = default) =>
        PublishFrame(frame, credit, toWire, publisher, trace, fromOtherNode: false);

    /// <summary>
    /// Publishes a frame another cluster node sent (decoded like a frame from outside): to local subscribers and this
    /// node's outside subscribers, never on to a third node.
    /// </summary>
    public int PublishFromNode(byte[] frame, CreditWindow credit, string publisher) =>
        PublishFrame(frame, credit, toWire: true, publisher, trace: default, fromOtherNode: true);

    private int PublishFrame(byte[] frame, CreditWindow credit, bool toWire, string publisher, ActivityContext trace, bool fromOtherNode)
    {
        object @event;
        EventType? type;
        try
        {
            (@event, type) = Registry.Decode(frame);
        }
        catch (EventDecodeException e)
        {
            _metrics.Undecodable(e.EventType.Name);
            _metrics.Dropped("undecodable");
            _log.Warning("Dropped an undecodable event: {0}", e.Message);
            return 0;
        }
        var table = Table;
        var route = type is null ? table.RouteForRaw() : table.RouteFor(type);
        var typeName = type?.Name ?? "raw";
        _metrics.Published(typeName, publisher);
        using var span = EngineTracing.StartPublish(typeName, Node, trace);
        if (toWire && Wire is { } wire && route.GoesOutside(frame)) wire(frame);
        return Deliver(route, Delivery.Create(@event, type, credit, frame, span, fromOtherNode));
    }

    private int Deliver(Route route, Delivery delivery, CreditReturns? held = null, Outbox? outbox = null)
    {
        var matchedPerFrame = route.IfFrameMatches.Length > 0;
        // A plugin told this one directly gets what the publisher queued for it before.
        if (matchedPerFrame) outbox?.Flush();
        ReadOnlySpan<IActorRef> targets = matchedPerFrame ? CollectionsMarshal.AsSpan(MatchingTargets(route, delivery.Frame)) : route.Always;
        var count = targets.Length;
        // Every delivery's credit is taken before it is told: a subscriber may settle it at once.
        if (held is null) delivery.Credit.Take(count);
        else held.Take(delivery.Credit, count);
        if (outbox is null || matchedPerFrame)
        {
            foreach (var subscriber in targets) subscriber.Tell(delivery, ActorRefs.NoSender);
        }
        else
        {
            foreach (var subscriber in route.Direct) subscriber.Tell(delivery, ActorRefs.NoSender);
            if (route.Batched.Length > 0) outbox.Add(route.Batched, delivery);
        }
        _metrics.Delivered(delivery.Type?.Name ?? "raw", count);
        return count;
    }

    private static List<IActorRef> MatchingTargets(Route route, byte[] frame)
    {
        var targets = new List<IActorRef>(route.Always);
        foreach (var (prefixes, subscriber) in route.IfFrameMatches)
            if (prefixes.Any(p => frame.AsSpan().StartsWith(p))) targets.Add(subscriber);
        return targets;
    }
}
