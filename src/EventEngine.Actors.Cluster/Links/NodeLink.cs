using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>The prefixes the link's node subscribes to (its directory entry), replacing earlier ones.</summary>
internal sealed record LinkPrefixes(ImmutableArray<byte[]> Prefixes);

/// <summary>The link's node became unreachable (<see cref="Reachable"/> false) or reachable again.</summary>
internal sealed record PeerReachability(bool Reachable);

/// <summary>A link tells its directory: the last prefixes it was given are in the routing table every publisher reads.</summary>
internal sealed class LinkActive
{
    public static readonly LinkActive Instance = new();
}

/// <summary>
/// Carries the events of this node to one other node. To the router it is one subscriber, holding the prefixes of
/// every subscriber on that node, so an event is encoded once and sent once per interested node however many
/// subscribers it has there. Events are batched (count, bytes, linger) and sent in publication order. Every event it
/// holds keeps its source's credit until the peer acknowledges its batch; a slow peer therefore pauses the producers
/// here, without blocking a thread and without a buffer beyond their windows. Events that came from another node
/// are never sent on (no loops). When the link stops (its node left), what it holds is dropped, counted
/// (<c>node-left</c>) and its credit returned. While its node is unreachable it holds on for
/// <c>link.unreachable-grace</c>, then drops what it holds and every new event until the node is reachable again
/// (<c>node-unreachable</c>): at most once on the link, never a duplicate (nothing is ever sent twice).
/// <para>Each message stays within <c>max-batch-bytes</c> (plus its header), so Akka.Remote's heartbeats never wait
/// behind a large one: a frame too large for a batch goes as consecutive <see cref="NodeFramePart"/>s, at most
/// <c>max-parts-in-flight</c> messages unacknowledged at a time, with other sources' events in batches between them
/// (<see cref="LargeFrames"/>: its own source's later events wait for its last part). It keeps its source's credit
/// until that part is acknowledged. A frame over
/// <c>event-engine.wire.max-message-size</c> is not sent (<c>too-large-for-link</c>).</para>
/// </summary>
internal sealed class NodeLink : ReceiveActor, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly LinkSettings _settings;
    private readonly LinkCounters _counters;
    private readonly IActorRef _peerInbox;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<byte[]> _frames = new();
    private readonly List<Delivery> _batch = new();
    private readonly Queue<(long Sequence, List<Delivery> Deliveries)> _unacknowledged = new();
    private readonly LargeFrames _large = new();
    private readonly long _maxEventSize;
    private ImmutableArray<byte[]>? _prefixes;
    private int _batchBytes;
    private long _sequence;
    private long _acknowledged;
    private long _tooLarge;
    private int _subscribing;
    private bool _dropping;

    public NodeLink(EventEngine engine, Address peer, LinkSettings settings, LinkCounters counters)
    {
        _engine = engine;
        _settings = settings;
        _counters = counters;
        _maxEventSize = engine.Settings.Wire.MaxMessageSize;
        // Resolved once, without a round trip: a batch goes straight to the inbox's path, not through an
        // ActorSelection (one more envelope to serialize and a path walk on the peer, per batch).
        _peerInbox = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(new RootActorPath(peer) / NodeInbox.PathElements);

        Receive<LinkPrefixes>(p =>
        {
            if (_prefixes is { } current && SameSet(current, p.Prefixes)) return;
            _prefixes = p.Prefixes;
            _subscribing++;
            engine.Bridge.Tell(new Subscribe(Self, p.Prefixes, ReadsFrames: true));
        });
        Receive<SubscriptionsActive>(_ =>
        {
            if (--_subscribing == 0) Context.Parent.Tell(LinkActive.Instance);
        });
        Receive<Delivery>(Add);
        Receive<Flush>(_ => SendBatch());
        Receive<PeerReachability>(r =>
        {
            if (r.Reachable)
            {
                Timers.Cancel(GraceOver.Instance);
                if (_dropping) _log.Info("{0} is reachable again: its link sends again", Peer);
                _dropping = false;
            }
            else if (!_dropping && !Timers.IsTimerActive(GraceOver.Instance))
            {
                Timers.StartSingleTimer(GraceOver.Instance, GraceOver.Instance, settings.UnreachableGrace);
            }
        });
        Receive<GraceOver>(_ =>
        {
            _dropping = true;
            var dropped = DropHeld("node-unreachable");
            _log.Warning("{0} has been unreachable for {1} (event-engine.cluster.link.unreachable-grace): {2} event(s) its link held are dropped, and so is every new one for it until it is reachable again (counted in event_engine.events.dropped, reason node-unreachable)",
                Peer, settings.UnreachableGrace, dropped);
        });
        Receive<NodeAck>(a =>
        {
            _acknowledged = Math.Max(_acknowledged, a.Sequence);
            var acknowledged = 0;
            while (_unacknowledged.TryPeek(out var oldest) && oldest.Sequence <= a.Sequence)
            {
                var deliveries = _unacknowledged.Dequeue().Deliveries;
                foreach (var delivery in deliveries) delivery.Settle();
                acknowledged += deliveries.Count;
            }
            if (acknowledged > 0) _counters.Acknowledged(Peer.ToString(), acknowledged);
            SendParts();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private Address Peer => _peerInbox.Path.Address;

    protected override void PostStop()
    {
        var dropped = DropHeld("node-left");
        if (dropped > 0)
            _log.Warning("The link to {0} stopped holding {1} event(s) not acknowledged by that node; they are dropped (counted in event_engine.events.dropped, reason node-left)",
                Peer, dropped);
    }

    // Returns the credit of everything held and counts it as dropped; acknowledgements that still arrive find nothing.
    private int DropHeld(string reason)
    {
        var held = _batch.Concat(_unacknowledged.SelectMany(b => b.Deliveries)).Concat(_large.Clear()).ToList();
        foreach (var delivery in held) delivery.Settle();
        _batch.Clear();
        _frames.Clear();
        _batchBytes = 0;
        _unacknowledged.Clear();
        _acknowledged = _sequence; // what was sent is given up: no longer waited for
        Timers.Cancel(Flush.Instance);
        if (held.Count > 0) _engine.Metrics.Dropped(reason, held.Count);
        return held.Count;
    }

    private void Add(Delivery delivery)
    {
        if (delivery.FromOtherNode)
        {
            delivery.Settle();
            return;
        }
        if (_dropping)
        {
            delivery.Settle();
            _engine.Metrics.Dropped("node-unreachable");
            return;
        }
        if (_large.Holds(delivery)) return; // its source's order: after the large frame's last part
        Carry(delivery);
        SendParts();
    }

    // Puts an event in the batch, or makes it the large frame sent in parts (once the batch before it is sent), or, if
    // one is being sent already, has it wait for that one.
    private void Carry(Delivery delivery)
    {
        byte[] frame;
        try
        {
            frame = delivery.Frame;
        }
        catch (Exception e)
        {
            delivery.Settle();
            _engine.Metrics.Dropped("unencodable");
            _log.Error(e, "A {0} event could not be encoded for another node; dropped (counted, reason unencodable)", delivery.Type?.Name ?? "raw");
            return;
        }
        if (frame.Length > _maxEventSize)
        {
            RefuseTooLarge(delivery, frame.Length);
            return;
        }
        if (4 + frame.Length > _settings.MaxBatchBytes)
        {
            if (_large.Sending)
            {
                _large.Wait(delivery);
                return;
            }
            SendBatch();
            _large.Start(delivery, frame);
            return;
        }
        if (_batchBytes + 4 + frame.Length > _settings.MaxBatchBytes) SendBatch(); // a batch stays within max-batch-bytes
        if (_batch.Count == 0) Timers.StartSingleTimer(Flush.Instance, Flush.Instance, _settings.Linger);
        _batch.Add(delivery);
        _frames.Add(frame);
        _batchBytes += 4 + frame.Length;
        if (_batch.Count >= _settings.MaxBatchCount || _batchBytes >= _settings.MaxBatchBytes) SendBatch();
    }

    private void SendBatch()
    {
        Timers.Cancel(Flush.Instance);
        if (_batch.Count == 0) return;
        _peerInbox.Tell(new NodeBatch(++_sequence, [.. _frames]), Self);
        _unacknowledged.Enqueue((_sequence, [.. _batch]));
        _batch.Clear();
        _frames.Clear();
        _batchBytes = 0;
    }

    // The large frame's next parts, while fewer than max-parts-in-flight messages wait for the peer's acknowledgement;
    // after its last part, the events that waited for it go on (the next large one, if any, starts at once).
    private void SendParts()
    {
        while (_large.Sending && _sequence - _acknowledged < _settings.MaxPartsInFlight)
        {
            _peerInbox.Tell(_large.NextPart(++_sequence, _settings.MaxBatchBytes, out var sent), Self);
            if (sent is null) continue;
            _unacknowledged.Enqueue((_sequence, [sent]));
            foreach (var next in _large.TakeWaiting())
                if (!_large.Holds(next)) Carry(next);
        }
    }

    // One log line for the first and then every 1000th, never one per event.
    private void RefuseTooLarge(Delivery delivery, int size)
    {
        delivery.Settle();
        _engine.Metrics.Dropped("too-large-for-link");
        if (++_tooLarge % 1000 == 1)
            _log.Error("A {0} event of {1} bytes is larger than event-engine.wire.max-message-size ({2} bytes): it is not sent to {3} ({4} such event(s) so far, counted in event_engine.events.dropped, reason too-large-for-link); local subscribers still get it",
                delivery.Type?.Name ?? "raw", size, _maxEventSize, Peer, _tooLarge);
    }

    private static bool SameSet(ImmutableArray<byte[]> a, ImmutableArray<byte[]> b) =>
        a.Length == b.Length && a.All(x => b.Any(y => x.AsSpan().SequenceEqual(y)));

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    private sealed class GraceOver
    {
        public static readonly GraceOver Instance = new();
    }
}
