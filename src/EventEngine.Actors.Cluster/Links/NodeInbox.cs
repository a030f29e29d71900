using Akka.Actor;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// Receives the batches other nodes' links send here and publishes their frames on this node (decoded with the
/// untrusted-data rules of frames from outside: a bad one is counted and dropped), to local subscribers and this
/// node's outside subscribers, never on to a third node. Each peer is a source with its own flow-control window; a
/// batch is acknowledged once that window has room, so the peer's producers wait for the subscribers here.
/// </summary>
internal sealed class NodeInbox : ReceiveActor
{
    /// <summary>The inbox's name under the engine's system actor.</summary>
    public const string Name = "event-engine-cluster-inbox";

    /// <summary>The inbox's path below a node's root (<c>/system/event-engine/event-engine-cluster-inbox</c>).</summary>
    public static readonly IEnumerable<string> PathElements = ["system", "event-engine", Name];

    private readonly Dictionary<Address, CreditWindow> _windows = new();
    private readonly Dictionary<Address, (IActorRef Link, long Sequence)> _waitingForRoom = new();

    public NodeInbox(EventEngine engine)
    {
        Receive<NodeBatch>(batch =>
        {
            var peer = Sender.Path.Address;
            if (!_windows.TryGetValue(peer, out var window))
                _windows[peer] = window = engine.NewCreditWindow($"node {peer}");
            foreach (var frame in batch.Frames) engine.Router.PublishFromNode(frame, window, "node");
            if (window.HasRoom && !_waitingForRoom.ContainsKey(peer)) Sender.Tell(new NodeAck(batch.Sequence));
            else WaitForRoom(peer, Sender, batch.Sequence, window);
        });
        Receive<RoomFor>(r =>
        {
            if (!_waitingForRoom.Remove(r.Peer, out var waiting)) return;
            if (_windows[r.Peer].HasRoom) waiting.Link.Tell(new NodeAck(waiting.Sequence));
            else WaitForRoom(r.Peer, waiting.Link, waiting.Sequence, _windows[r.Peer]);
        });
    }

    // One wait per peer; a later batch moves the acknowledgement it will send forward.
    private void WaitForRoom(Address peer, IActorRef link, long sequence, CreditWindow window)
    {
        var first = !_waitingForRoom.ContainsKey(peer);
        _waitingForRoom[peer] = (link, sequence);
        if (first) window.WhenRoom().PipeTo(Self, success: () => new RoomFor(peer));
    }

    private sealed record RoomFor(Address Peer);
}
