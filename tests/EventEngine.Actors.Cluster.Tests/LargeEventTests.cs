using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// Events larger than a batch cross to other nodes in parts and arrive whole, in order; Akka.Remote's frame size is
/// set just above <c>max-batch-bytes</c> here, so a message over it would be dropped by Akka.Remote and the test would
/// see the event missing. Events over <c>wire.max-message-size</c> are refused for other nodes, counted and named.
/// </summary>
public sealed class LargeEventTests
{
    // 64 KiB batches and parts, plus Akka.Remote's envelope: a message carrying a whole 1 MB frame would not fit.
    private const string SmallRemoteFrames = "akka.remote.dot-netty.tcp.maximum-frame-size = 70000b";
    private const int OneMegabyte = 1024 * 1024;

    [Fact]
    public async Task A_1_MB_event_reaches_a_subscriber_on_another_node_whole_and_in_order_between_small_events()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, SmallRemoteFrames);
        var (publisher, remote) = (cluster[0], cluster[1]);
        using var droppedHere = new DropCounter(publisher);
        using var droppedThere = new DropCounter(remote);
        await using var elsewhere = await remote.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 1);

        // random text: parts put back in the wrong order or place would not compare equal
        var random = new Random(11);
        TypeX Large(int n) => new(n, new string([.. Enumerable.Range(0, OneMegabyte).Select(_ => (char)random.Next('a', 'z' + 1))]));
        TypeX[] sent = [new(0), Large(1), new(2), new(3), Large(4), Large(5), new(6)];
        foreach (var e in sent) await publisher.Publisher.PublishAsync(e);

        await using var events = elsewhere.GetAsyncEnumerator();
        var codec = remote.Events.Get<TypeX>();
        foreach (var expected in sent)
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Wait.Long), "the other node's subscription ended");
            Assert.Equal(expected.N, events.Current.N);
            Assert.True(codec.Encode(expected).AsSpan().SequenceEqual(codec.Encode(events.Current)),
                $"event {expected.N} arrived with other bytes ({events.Current.From.Length} characters, {expected.From.Length} sent)");
        }
        Assert.Equal(0, elsewhere.Pending);
        foreach (var reason in new[] { "too-large-for-link", "bad-event-part", "incomplete-event" })
            Assert.Equal(0, droppedHere.Of(reason) + droppedThere.Of(reason));
    }

    [Fact]
    public async Task While_large_events_cross_small_events_of_another_publisher_keep_flowing_and_no_node_becomes_unreachable()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (node, engine) =>
        {
            if (node == 0) engine.AddPlugin<LargePublisher>();
        }, SmallRemoteFrames);
        var (publisher, remote) = (cluster[0], cluster[1]);
        var unreachable = new ConcurrentQueue<string>();
        foreach (var node in cluster.Nodes)
        {
            var watcher = node.System.ActorOf(Props.Create(() => new UnreachableWatcher(unreachable)));
            Akka.Cluster.Cluster.Get(node.System).Subscribe(watcher, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));
        }
        await using var smallThere = await remote.Subscriber.SubscribeAsync<TypeX>();
        await using var largeThere = await remote.Subscriber.SubscribeAsync<TypeY>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 1);
        await InProcessCluster.UntilLinkedAsync<TypeY>(publisher, nodes: 1);

        // the plugin publishes the large events, the host the small ones: two publishers, one link
        const int large = 16, small = 200;
        var clock = Stopwatch.StartNew();
        var smallArrivals = Receive(smallThere, small, clock);
        var largeArrivals = Receive(largeThere, large, clock);
        await publisher.Publisher.PublishAsync(new LargeBurst(large, OneMegabyte));
        for (var i = 0; i < small; i++)
        {
            await publisher.Publisher.PublishAsync(new TypeX(i));
            await Task.Delay(5);
        }

        var smallTimes = await Wait.For(smallArrivals, "every small event on the other node", TimeSpan.FromSeconds(60));
        var largeTimes = await Wait.For(largeArrivals, "every large event on the other node", TimeSpan.FromSeconds(60));
        var between = smallTimes.Count(t => t > largeTimes[0] && t < largeTimes[^1]);
        Assert.True(between > 0, $"no small event arrived while the large ones were crossing ({largeTimes[0]} to {largeTimes[^1]} ms)");
        Assert.Empty(unreachable);
        foreach (var node in cluster.Nodes)
            Assert.Equal(2, Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up));
    }

    [Fact]
    public async Task A_slow_consumer_on_another_node_pauses_a_producer_of_large_events_with_bounded_buffers()
    {
        const int window = 10, count = 20 * window;
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { },
            $"event-engine.flow-control {{ high-water-mark = {window}, low-water-mark = {window / 2} }}\n{SmallRemoteFrames}");
        var (producer, consumer) = (cluster[0], cluster[1]);
        await using var slow = await consumer.Subscriber.SubscribeAsync<TypeX>(); // not read yet
        await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);

        var payload = new string('x', 100 * 1024); // two parts each
        var published = 0;
        var producing = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await producer.Publisher.PublishAsync(new TypeX(i, payload));
                Interlocked.Increment(ref published);
            }
        });

        // each large event holds its credit until its last part is acknowledged, and that waits for room on the consumer's node
        await Wait.Until(() => producer.Status().PausedSources.Any(s => s.Source == "host"), "the producer on node 0 to be paused");
        await Wait.UntilStable(() => Volatile.Read(ref published), "events published while the consumer does not read", TimeSpan.FromMilliseconds(500));
        Assert.False(producing.IsCompleted, "the producer published everything although nobody read on the other node");
        Assert.InRange(slow.Pending, 1, 3 * window);
        Assert.InRange(Volatile.Read(ref published), 1, count / 2);

        await CrossNodeRoutingTests.ExpectInOrder(slow, count, "the slow consumer");
        await Wait.For(producing, "the producer to finish once the consumer reads");
    }

    [Fact]
    public async Task A_large_event_holds_its_publishers_credit_until_the_other_node_acknowledges_its_last_part()
    {
        // the consumer's node acknowledges only while its window (2) has room: its subscriber does not read yet
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { },
            $"event-engine.flow-control {{ high-water-mark = 2, low-water-mark = 1 }}\n{SmallRemoteFrames}");
        var (producer, consumer) = (cluster[0], cluster[1]);
        await using var slow = await consumer.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);

        await producer.Publisher.PublishAsync(new TypeX(0));
        await Wait.Until(() => slow.Pending == 1 && producer.HostCredit.InFlight == 0, "the small event acknowledged by the other node");
        await producer.Publisher.PublishAsync(new TypeX(1, new string('x', 100 * 1024))); // two parts
        // whole on the other node, which fills its window there: the last part stays unacknowledged, so the credit stays taken
        await Wait.Until(() => slow.Pending == 2, "the large event on the other node");
        await Wait.UntilStable(() => producer.HostCredit.InFlight, "the producer's credit", TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, producer.HostCredit.InFlight);

        await CrossNodeRoutingTests.ExpectInOrder(slow, 2, "the slow consumer");
        await Wait.Until(() => producer.HostCredit.InFlight == 0, () => $"the credit back once the consumer reads (in flight: {producer.HostCredit.InFlight})");
    }

    [Fact]
    public async Task An_event_larger_than_the_wire_limit_is_dropped_for_other_nodes_counted_and_logged_with_its_size_and_the_limit()
    {
        const int limit = 200 * 1024;
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, $"event-engine.wire.max-message-size = {limit}b\n{SmallRemoteFrames}");
        var (publisher, remote) = (cluster[0], cluster[1]);
        using var dropped = new DropCounter(publisher);
        var log = LogCapture.Attach(publisher.System);
        await using var local = await publisher.Subscriber.SubscribeAsync<TypeX>();
        await using var elsewhere = await remote.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 1);

        var tooLarge = new TypeX(1, new string('x', 2 * limit));
        var size = publisher.Events.Get<TypeX>().Encode(tooLarge).Length;
        await publisher.Publisher.PublishAsync(new TypeX(0));
        await publisher.Publisher.PublishAsync(tooLarge);
        await publisher.Publisher.PublishAsync(new TypeX(2, new string('x', limit / 2))); // in parts, under the limit

        // the local subscriber gets all three; the other node gets the two within the limit, in order, and the link goes on
        await CrossNodeRoutingTests.ExpectInOrder(local, 3, "the local subscriber");
        await using (var remoteEvents = elsewhere.GetAsyncEnumerator())
        {
            foreach (var expected in new[] { 0, 2 })
            {
                Assert.True(await remoteEvents.MoveNextAsync().AsTask().WaitAsync(Wait.Long), "the other node's subscription ended");
                Assert.Equal(expected, remoteEvents.Current.N);
            }
        }
        Assert.Equal(0, elsewhere.Pending);
        Assert.Equal(1, dropped.Of("too-large-for-link"));
        await Wait.Until(() => log.Contains($"A TypeX event of {size} bytes is larger than event-engine.wire.max-message-size ({limit} bytes)", LogLevel.ErrorLevel),
            () => $"the error naming the event's size and the limit; the log:\n{log.Dump()}");
    }

    [Fact]
    public void The_removed_link_max_event_size_key_is_refused_naming_the_limit_that_replaced_it()
    {
        var config = InProcessCluster.NodeConfig("event-engine.cluster.link.max-event-size = 64KiB");
        var error = Assert.Throws<EventEngineException>(() => ClusterSettings.From(config));
        Assert.Contains("event-engine.cluster.link.max-event-size = 64KiB is not valid", error.Message);
        Assert.Contains("event-engine.wire.max-message-size", error.Message);
    }

    // Milliseconds on clock at which each of count events arrived (in order: 0, 1, 2, ... by N).
    private static async Task<double[]> Receive<T>(IAsyncEnumerable<T> subscription, int count, Stopwatch clock) where T : notnull
    {
        var times = new double[count];
        var next = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in subscription.WithCancellation(timeout.Token))
        {
            var n = e switch { TypeX x => x.N, TypeY y => y.N, _ => -1 };
            Assert.True(n == next, $"event {next} expected, {e.GetType().Name} {n} arrived");
            times[next] = clock.Elapsed.TotalMilliseconds;
            if (++next == count) break;
        }
        return times;
    }

    private sealed class LargePublisher : EventPlugin
    {
        public LargePublisher() => Subscribe<LargeBurst>(async burst =>
        {
            var payload = new string('y', burst.Size);
            for (var i = 0; i < burst.Count; i++) await PublishAsync(new TypeY(i, payload));
        });
    }

    private sealed class UnreachableWatcher : ReceiveActor
    {
        public UnreachableWatcher(ConcurrentQueue<string> seen) =>
            Receive<ClusterEvent.UnreachableMember>(m => seen.Enqueue(m.Member.Address.ToString()));
    }
}

public sealed record LargeBurst(int Count, int Size);
