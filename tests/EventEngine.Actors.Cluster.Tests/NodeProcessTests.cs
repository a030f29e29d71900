namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// A node in its own process, killed with SIGKILL: at most once on its link, producers go on, and every event is
/// accounted for: the events the node acknowledged plus those dropped (node-unreachable) are exactly the events sent.
/// </summary>
public sealed class NodeProcessTests
{
    private const int Window = 100;

    [Fact]
    public async Task A_node_process_killed_with_sigkill_costs_at_most_what_its_link_held_the_producer_goes_on_and_acknowledged_plus_dropped_is_every_event_sent()
    {
        await using var cluster = await InProcessCluster.StartAsync(1, (_, _) => { }, $$"""
            akka.cluster.downing-provider-class = ""
            event-engine.flow-control { high-water-mark = {{Window}}, low-water-mark = {{Window / 2}} }
            event-engine.cluster.link.unreachable-grace = 1s
            """);
        var producer = cluster[0];
        using var dropped = new DropCounter(producer);
        var seed = Akka.Cluster.Cluster.Get(producer.System).SelfAddress.ToString();
        const int count = 20 * Window;
        Task producing;
        int receivedBeforeKill;
        using (var node = RunningProgram.Start(ProgramRunner.BuiltDll("tests", "EventEngine.Actors.ClusterNodeHost"), "--seed", seed))
        {
            await node.WaitForLine("^ready$", TimeSpan.FromSeconds(60));
            await InProcessCluster.UntilLinkedAsync<TypeX>(producer, nodes: 1);
            producing = Task.Run(async () =>
            {
                for (var i = 0; i < count; i++) await producer.Publisher.PublishAsync(new TypeX(i));
            });
            receivedBeforeKill = int.Parse((await node.WaitForLine(@"^received (\d+)$", Wait.Long)).Groups[1].Value);
            Assert.False(producing.IsCompleted, "the producer finished before the slow node was killed: nothing held it");
        } // SIGKILL

        await Wait.For(producing, "the producer to go on after the killed node's grace period");
        // every event went to the link (its only subscriber is on the killed node): acknowledged by the node or dropped
        await Wait.Until(() => dropped.Acknowledged + dropped.Of("node-unreachable") == count,
            () => $"acknowledged {dropped.Acknowledged} + dropped {dropped.Of("node-unreachable")} (node-unreachable) to account for all {count} events");
        Assert.True(dropped.Of("node-unreachable") > 0, "nothing was dropped: the node acknowledged everything before it was killed");
        // the node acknowledges what it received before handling it: it handled no more than it acknowledged
        Assert.InRange(receivedBeforeKill, 1, dropped.Acknowledged);
        Assert.Equal(0, dropped.Of("node-left"));
    }
}
