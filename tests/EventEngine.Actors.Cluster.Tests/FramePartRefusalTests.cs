using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Cluster.Links;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// A node's inbox takes parts of large frames from an untrusted peer: here an actor on node 0 that sends node 1's
/// inbox, over Akka.Remote, what a broken or hostile link would. Each bad part costs only its frame (counted, logged
/// once), a half-received frame is dropped when another one begins or its node leaves, and good frames go on.
/// </summary>
public sealed class FramePartRefusalTests
{
    private const int Limit = 100 * 1024;

    [Fact]
    public async Task The_inbox_refuses_bad_parts_drops_half_received_frames_and_publishes_the_good_ones_in_order()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, $"event-engine.wire.max-message-size = {Limit}b");
        var (peer, node) = (cluster[0], cluster[1]);
        using var dropped = new DropCounter(node);
        var log = LogCapture.Attach(node.System);
        await using var subscription = await node.Subscriber.SubscribeAsync<TypeX>();
        var acks = new ConcurrentQueue<long>();
        var link = peer.System.ActorOf(Props.Create(() => new AckRecorder(acks)));
        var inbox = ((ExtendedActorSystem)peer.System).Provider.ResolveActorRef(
            new RootActorPath(Akka.Cluster.Cluster.Get(node.System).SelfAddress) / NodeInbox.PathElements);
        var codec = node.Events.Get<TypeX>();
        long sequence = 0;
        void Part(byte[] frame, int index, int from, int length, int? frameLength = null) =>
            inbox.Tell(new NodeFramePart(++sequence, index, frameLength ?? frame.Length, frame.AsMemory(from, length)), link);
        void InParts(byte[] frame, params int[] cuts)
        {
            int[] bounds = [0, .. cuts, frame.Length];
            for (var i = 0; i + 1 < bounds.Length; i++) Part(frame, i, bounds[i], bounds[i + 1] - bounds[i]);
        }
        byte[] Frame(int n) => codec.Encode(new TypeX(n, new string((char)('a' + n), 300)));

        InParts(Frame(1), 100, 200);                                       // whole: published
        var stray = Frame(90);
        Part(stray, 1, 100, 50);                                            // part 1, part 0 never came: refused
        Part(stray, 2, 150, 50);                                            // the rest of that frame: skipped
        var skipped = Frame(91);
        Part(skipped, 0, 0, 100);
        Part(skipped, 2, 200, 100);                                         // part 1 missing: refused
        var overlong = Frame(92);
        Part(overlong, 0, 0, 6, frameLength: 10);
        Part(overlong, 1, 6, 6, frameLength: 10);                           // more bytes than it declared: refused
        var huge = new byte[64];
        Part(huge, 0, 0, 64, frameLength: 1 << 30);                         // over this node's limit: refused at once
        Part(huge, 1, 0, 64, frameLength: 1 << 30);
        var four = Frame(4);
        Part(four, 0, 0, 100);
        inbox.Tell(new NodeBatch(++sequence, [Frame(3)]), link);            // another source's events between parts: published
        Part(four, 1, 100, four.Length - 100);                              // the rest: published, after 3
        Part(Frame(94), 0, 0, 100);                                         // half, then a new frame: dropped
        InParts(Frame(5));                                                  // one part: published
        InParts(Frame(6), 1);                                               // published

        await using var events = subscription.GetAsyncEnumerator();
        foreach (var expected in new[] { 1, 3, 4, 5, 6 })
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Wait.Long), "the subscription ended");
            Assert.Equal(expected, events.Current.N);
            Assert.Equal(new string((char)('a' + expected), 300), events.Current.From);
        }
        // every message is acknowledged, refused or not, so a peer's credit always comes back
        await Wait.Until(() => acks.Contains(sequence), () => $"message {sequence} acknowledged (last: {acks.LastOrDefault()})");
        Assert.Equal(0, subscription.Pending);
        Assert.Equal(4, dropped.Of("bad-event-part"));
        Assert.Equal(1, dropped.Of("incomplete-event"));
        Assert.Equal(0, dropped.Of("undecodable"));
        Assert.Equal(1, log.Count("Refused a large event's part from"));
        Assert.True(log.Contains("part 1 of a frame whose part 0 never came", LogLevel.ErrorLevel), log.Dump());
        Assert.Equal(1, log.Count("was dropped half-received"));

        // a frame half-received when its node leaves is dropped and counted
        Part(Frame(95), 0, 0, 100);
        await Wait.Until(() => acks.Contains(sequence), "the last part acknowledged");
        await CoordinatedShutdown.Get(peer.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await Wait.Until(() => dropped.Of("incomplete-event") == 2, () => $"the half-received frame dropped when its node left (incomplete-event: {dropped.Of("incomplete-event")})");
    }

    private sealed class AckRecorder : ReceiveActor
    {
        public AckRecorder(ConcurrentQueue<long> acks) => Receive<NodeAck>(a => acks.Enqueue(a.Sequence));
    }
}
