using System.Collections.Concurrent;
using EventEngine.Actors.Gateway;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Cluster.Tests;

public sealed class StartupBarrierTests
{
    [Fact]
    public async Task With_min_nodes_the_first_events_a_plugin_publishes_reach_a_subscriber_on_a_node_that_joined_later()
    {
        var received = new ConcurrentQueue<TypeX>();
        // node 0 starts and joins first; its producer publishes at once when its start hook runs
        await using var cluster = await InProcessCluster.StartAsync(2,
            (node, engine) =>
            {
                if (node == 0) engine.AddPlugin<Producer>(10);
                else engine.AddPlugin<Collector>(received);
            },
            "event-engine.cluster.min-nodes = 2");

        await Wait.Until(() => received.Count >= 10, () => $"the 10 events of node 0's producer on node 1 (got {received.Count})");
        Assert.Equal(Enumerable.Range(0, 10), received.Select(x => x.N));
        Assert.True(cluster[0].Started.IsCompletedSuccessfully && cluster[1].Started.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_member_that_was_up_and_left_before_the_barrier_passed_still_counts_toward_min_nodes()
    {
        var received = new ConcurrentQueue<TypeX>();
        // node 1's entry is never written while it is Up: its external plugin never connects, so its own subscriptions
        // are never all active; nodes 0 and 2 wait for that entry, then node 1 leaves
        await using var cluster = await InProcessCluster.StartAsync(3,
            (node, engine) =>
            {
                if (node == 0) engine.AddPlugin<Collector>(received);
                else if (node == 1) engine.AddExternalPlugin("never-connects", 0, ["TypeY"]);
                else engine.AddPlugin<Producer>(10);
            },
            "event-engine { cluster.min-nodes = 3, startup.timeout = 5m }");
        var (leaving, producer) = (cluster[1], cluster[2]);
        await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);
        Assert.False(producer.Started.IsCompleted, "node 2 passed its barrier without node 1's subscriptions");

        await Akka.Cluster.Cluster.Get(leaving.System).LeaveAsync();
        // three members were Up: node 1 counts toward min-nodes although it has left
        await Wait.For(producer.Started, "node 2's start-up barrier to pass once node 1 has left");
        await Wait.For(cluster[0].Started, "node 0's start-up barrier to pass once node 1 has left");
        await Wait.Until(() => received.Count >= 10, () => $"the 10 events of node 2's producer on node 0 (got {received.Count})");
        Assert.Equal(Enumerable.Range(0, 10), received.Select(x => x.N));
    }

    private sealed class Producer(int count) : EventPlugin
    {
        protected override async Task OnStartAsync(CancellationToken cancellationToken)
        {
            for (var i = 0; i < count; i++) await PublishAsync(new TypeX(i, "producer"));
        }
    }

    private sealed class Collector : EventPlugin
    {
        public Collector(ConcurrentQueue<TypeX> received) => Subscribe<TypeX>(received.Enqueue);
    }
}
