using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>A link is one subscriber in its source's window; the peer acknowledges only while its subscribers have room.</summary>
public sealed class CrossNodeFlowControlTests
{
    private const int Window = 100;

    [Fact]
    public async Task A_slow_consumer_on_another_node_pauses_the_producer_with_bounded_buffers_and_loses_nothing()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { },
            $"event-engine.flow-control {{ high-water-mark = {Window}, low-water-mark = {Window / 2} }}");
        var (producer, consumer) = (cluster[0], cluster[1]);
        await using var slow = await consumer.Subscriber.SubscribeAsync<TypeX>(); // not read yet
        await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);

        const int count = 20 * Window;
        var published = 0;
        var producing = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await producer.Publisher.PublishAsync(new TypeX(i));
                Interlocked.Increment(ref published);
            }
        });

        // The producer stops well short of the end, paused by the consumer on the other node, and stays paused.
        await Wait.Until(() => producer.Status().PausedSources.Any(s => s.Source == "host"), "the producer on node 0 to be paused");
        await Wait.UntilStable(() => Volatile.Read(ref published), "events published while the consumer does not read", TimeSpan.FromMilliseconds(500));
        Assert.False(producing.IsCompleted, "the producer published everything although nobody read on the other node");
        Assert.Contains(consumer.Status().PausedSources, s => s.Source.StartsWith("node ", StringComparison.Ordinal));
        // Bounded: what waits on the consumer's node is within both windows plus one batch, whatever the count.
        Assert.InRange(slow.Pending, 1, 3 * Window + 512);
        Assert.InRange(Volatile.Read(ref published), 1, count / 2);

        await CrossNodeRoutingTests.ExpectInOrder(slow, count, "the slow consumer");
        await Wait.For(producing, "the producer to finish once the consumer reads");
    }
}

public sealed class UnreachableNodeTests
{
    private const int Window = 100;

    [Fact]
    public async Task A_link_to_a_crashed_node_holds_for_the_grace_period_then_drops_and_counts_and_the_producer_goes_on()
    {
        // downing off: the crashed node stays unreachable (not removed), so the grace period is what frees the producer
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, $$"""
            akka.cluster.downing-provider-class = ""
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.remote.dot-netty.tcp.applied-adapters = [trttl]
            event-engine.flow-control { high-water-mark = {{Window}}, low-water-mark = {{Window / 2}} }
            event-engine.cluster.link.unreachable-grace = 1s
            """);
        var (producer, crashing) = (cluster[0], cluster[1]);
        using var dropped = new DropCounter(producer);
        await using var subscription = await crashing.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);

        // The crash as the producer's node sees it: nothing more comes from the node or reaches it, no leave, no goodbye.
        // (An in-process ActorSystem.Terminate() is not that: Akka.Remote tells its peers it is shutting down.)
        var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)producer.System).Provider).Transport;
        await transport.ManagementCommand(new SetThrottle(Akka.Cluster.Cluster.Get(crashing.System).SelfAddress, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
        const int count = 20 * Window;
        var producing = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++) await producer.Publisher.PublishAsync(new TypeX(i));
        });

        await Wait.For(producing, "the producer to go on once the grace period is over");
        await Wait.Until(() => dropped.Of("node-unreachable") > 0, () => $"drops counted as node-unreachable; so far {dropped}");
        // at most what the node could have taken before it went (two windows and a batch) is not counted as dropped
        Assert.InRange(dropped.Of("node-unreachable"), count - 3 * Window - 512, count);
    }
}
