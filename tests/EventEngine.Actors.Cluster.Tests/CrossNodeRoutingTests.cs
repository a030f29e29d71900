using System.Text;
using Akka.Actor;
using Akka.Cluster;
using EventEngine.Actors.Cluster.Directory;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>Two and three engine nodes in one process, on loopback: one event space across them.</summary>
public sealed class CrossNodeRoutingTests
{
    [Fact]
    public async Task Events_reach_subscribers_on_other_nodes_by_prefix_in_publication_order_and_once_each()
    {
        // node 0 publishes; node 1 subscribes to TypeX (twice) and TypeY; node 2 to TypeX only.
        await using var cluster = await InProcessCluster.StartAsync(3, (_, _) => { });
        var (publisher, second, third) = (cluster[0], cluster[1], cluster[2]);
        await using var secondX = await second.Subscriber.SubscribeAsync<TypeX>();
        await using var secondXAgain = await second.Subscriber.SubscribeAsync<TypeX>();
        await using var secondY = await second.Subscriber.SubscribeAsync<TypeY>();
        await using var thirdX = await third.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 2);
        await InProcessCluster.UntilLinkedAsync<TypeY>(publisher, nodes: 1);
        // once per interested node, however many subscribers it has there
        Assert.Equal(2, InProcessCluster.LinksOnRoute<TypeX>(publisher));

        const int count = 2000;
        for (var i = 0; i < count; i++)
        {
            await publisher.Publisher.PublishAsync(new TypeX(i));
            await publisher.Publisher.PublishAsync(new TypeY(i));
        }

        await ExpectInOrder(secondX, count, "node 1's first TypeX subscription");
        await ExpectInOrder(secondXAgain, count, "node 1's second TypeX subscription");
        await ExpectInOrder(secondY, count, "node 1's TypeY subscription");
        // node 1 also received every TypeX: had it forwarded them to node 2, node 2 would see each one twice. A marker
        // (the next number) from node 1 travels on the same link as anything node 1 would forward, so it comes after any
        // duplicate: node 2 must see exactly 0..count-1, then the marker.
        await InProcessCluster.UntilLinkedAsync<TypeX>(second, nodes: 1);
        await second.Publisher.PublishAsync(new TypeX(count));
        await ExpectInOrder(thirdX, count + 1, "node 2's TypeX subscription");
        Assert.Equal(0, thirdX.Pending);
    }

    [Fact]
    public async Task A_tcp_subscriber_on_one_node_gets_the_events_a_plugin_on_another_node_publishes()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { },
            "event-engine.wire.enabled = on");
        var (publisher, receiver) = (cluster[0], cluster[1]);
        using var subscriber = new SubscriberSocket();
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{receiver.SubscribePort}");
        subscriber.Subscribe("TypeY");
        // the outside prefix reaches node 1's routing table, then the directory, then node 0
        await InProcessCluster.UntilLinkedAsync<TypeY>(publisher, nodes: 1);

        await publisher.Publisher.PublishAsync(new TypeY(7, "node 0"));

        Assert.True(subscriber.TryReceiveFrameBytes(Wait.Long, out var frame), "no frame reached the TCP subscriber of node 1");
        Assert.StartsWith("TypeY", Encoding.ASCII.GetString(frame!));
        Assert.Equal(new TypeY(7, "node 0"), publisher.Events.Get<TypeY>().DecodeFrame(frame!));
    }

    [Fact]
    public async Task A_node_that_leaves_loses_its_link_and_the_producer_goes_on()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { });
        var (publisher, leaving) = (cluster[0], cluster[1]);
        await using var subscription = await leaving.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 1);
        await publisher.Publisher.PublishAsync(new TypeX(0));
        await ExpectInOrder(subscription, 1, "the leaving node's subscription");

        await Akka.Cluster.Cluster.Get(leaving.System).LeaveAsync();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 0);
        // far more than a flow-control window: nothing holds the producer's credit any more
        var window = publisher.Settings.FlowControl.HighWaterMark;
        var published = Task.Run(async () =>
        {
            for (var i = 0; i < window * 2; i++) await publisher.Publisher.PublishAsync(new TypeX(i));
        });
        await Wait.For(published, $"{window * 2} events to be published on the remaining node");
        Assert.Equal(MemberStatus.Up, Akka.Cluster.Cluster.Get(publisher.System).SelfMember.Status);
    }

    [Fact]
    public async Task A_node_that_was_removed_is_forgotten_by_every_node_s_subscription_directory()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, (_, _) => { });
        var leaving = cluster[2];
        var key = SubscriptionDirectory.KeyOf(Akka.Cluster.Cluster.Get(leaving.System).SelfUniqueAddress);
        await using var subscription = await leaving.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(cluster[0], nodes: 1);
        Assert.Contains(key, await DirectoryNodes(cluster[1]));

        await Akka.Cluster.Cluster.Get(leaving.System).LeaveAsync();
        // A node that leaves never comes back with the same uid: its entry would stay in the directory for good.
        foreach (var node in new[] { cluster[0], cluster[1] })
            await Wait.Until(async () => !(await DirectoryNodes(node)).Contains(key), () => $"{key} gone from the directory of {node.System.Name}");
    }

    private static async Task<IEnumerable<string>> DirectoryNodes(EventEngine node)
    {
        var get = Akka.DistributedData.Dsl.Get(SubscriptionDirectory.Key, Akka.DistributedData.ReadLocal.Instance);
        var response = await Akka.DistributedData.DistributedData.Get(node.System).Replicator.Ask<Akka.DistributedData.IGetResponse>(get, Wait.Long);
        return response.IsSuccessful ? response.Get(SubscriptionDirectory.Key).Entries.Keys : [];
    }

    internal static async Task ExpectInOrder<T>(IAsyncEnumerable<T> subscription, int count, string what) where T : notnull
    {
        var next = 0;
        using var timeout = new CancellationTokenSource(Wait.Long);
        try
        {
            await foreach (var e in subscription.WithCancellation(timeout.Token))
            {
                var n = e switch { TypeX x => x.N, TypeY y => y.N, _ => -1 };
                Assert.True(n == next, $"{what}: event {next} expected, {e} arrived");
                if (++next == count) return;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what}: {next} of {count} events arrived within {Wait.Long.TotalSeconds} s");
        }
    }
}
