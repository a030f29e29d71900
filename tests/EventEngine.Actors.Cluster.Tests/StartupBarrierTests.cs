using System.Collections.Concurrent;
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
