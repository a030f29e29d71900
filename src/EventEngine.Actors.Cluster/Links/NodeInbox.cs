using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// Receives the batches other nodes' links send here and publishes their frames on this node (decoded with the
/// untrusted-data rules of frames from outside: a bad one is counted and dropped), to local subscribers and this
/// node's outside subscribers, never on to a third node. Each peer is a source with its own flow-control window; a
/// message is acknowledged once that window has room, so the peer's producers wait for the subscribers here.
/// <para>A frame too large for a batch comes as consecutive parts (<see cref="NodeFramePart"/>), put back together
/// per peer by a <see cref="FrameAssembly"/> and published once whole (batches of other sources' events may come
/// between its parts). Parts it refuses cost only their frame (counted, <c>bad-event-part</c>, logged once per peer);
/// a frame left half-received (its peer began another one, or left the cluster) is dropped and counted
/// (<c>incomplete-event</c>).</para>
/// </summary>
internal sealed class NodeInbox : ReceiveActor
{
    /// <summary>The inbox's name under the engine's system actor.</summary>
    public const string Name = "event-engine-cluster-inbox";

    /// <summary>The inbox's path below a node's root (<c>/system/event-engine/event-engine-cluster-inbox</c>).</summary>
    public static readonly IEnumerable<string> PathElements = ["system", "event-engine", Name];

    private readonly EventEngine _engine;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, CreditWindow> _windows = new();
    private readonly Dictionary<Address, (IActorRef Link, long Sequence)> _waitingForRoom = new();
    private readonly Dictionary<Address, FrameAssembly> _assemblies = new();
    private readonly HashSet<(Address, string Reason)> _logged = new();

    public NodeInbox(EventEngine engine)
    {
        _engine = engine;
        Receive<NodeBatch>(batch =>
        {
            var peer = Sender.Path.Address;
            var window = WindowOf(peer);
            foreach (var frame in batch.Frames) engine.Router.PublishFromNode(frame, window, "node");
            Acknowledge(peer, batch.Sequence, window);
        });
        Receive<NodeFramePart>(part =>
        {
            var peer = Sender.Path.Address;
            if (!_assemblies.TryGetValue(peer, out var assembly))
                _assemblies[peer] = assembly = new FrameAssembly(engine.Settings.Wire.MaxMessageSize);
            var window = WindowOf(peer);
            var frame = assembly.Add(part, out var abandoned, out var refusal);
            if (abandoned) Incomplete(peer, "a new one began before its last part");
            if (refusal is not null) Refuse(peer, refusal);
            if (frame is not null) engine.Router.PublishFromNode(frame, window, "node");
            Acknowledge(peer, part.Sequence, window); // refused or not: the peer's credit must come back
        });
        Receive<RoomFor>(r =>
        {
            if (!_waitingForRoom.Remove(r.Peer, out var waiting)) return;
            if (_windows[r.Peer].HasRoom) waiting.Link.Tell(new NodeAck(waiting.Sequence));
            else WaitForRoom(r.Peer, waiting.Link, waiting.Sequence, _windows[r.Peer]);
        });
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            if (_assemblies.Remove(m.Member.Address, out var assembly) && assembly.HalfReceived) Incomplete(m.Member.Address, "its node left the cluster");
            _logged.RemoveWhere(l => l.Item1 == m.Member.Address);
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private CreditWindow WindowOf(Address peer)
    {
        if (!_windows.TryGetValue(peer, out var window))
            _windows[peer] = window = _engine.NewCreditWindow($"node {peer}");
        return window;
    }

    private void Acknowledge(Address peer, long sequence, CreditWindow window)
    {
        if (window.HasRoom && !_waitingForRoom.ContainsKey(peer)) Sender.Tell(new NodeAck(sequence));
        else WaitForRoom(peer, Sender, sequence, window);
    }

    // One wait per peer; a later message moves the acknowledgement it will send forward.
    private void WaitForRoom(Address peer, IActorRef link, long sequence, CreditWindow window)
    {
        var first = !_waitingForRoom.ContainsKey(peer);
        _waitingForRoom[peer] = (link, sequence);
        if (first) window.WhenRoom().PipeTo(Self, success: () => new RoomFor(peer));
    }

    private void Incomplete(Address peer, string why) =>
        Drop(peer, "incomplete-event", $"A large event from {peer} was dropped half-received: {why}");

    private void Refuse(Address peer, string what) =>
        Drop(peer, "bad-event-part", $"Refused a large event's part from {peer}: {what}. That event is dropped");

    // Logged once per peer and reason: a peer that keeps sending bad parts must not flood the log.
    private void Drop(Address peer, string reason, string what)
    {
        _engine.Metrics.Dropped(reason);
        if (_logged.Add((peer, reason)))
            _log.Error("{0} (counted in event_engine.events.dropped, reason {1}; later ones from this node are counted, not logged)", what, reason);
    }

    private sealed record RoomFor(Address Peer);
}
