namespace EventEngine.Actors.Cluster.Tests;

/// <summary>A node in its own process, killed with SIGKILL: at most once on its link, every drop counted, producers go on.</summary>
public sealed class NodeProcessTests
{
    private const int Window = 100;

    [Fact]
    public async Task A_node_process_killed_with_sigkill_costs_at_most_what_its_link_held_counted_and_the_producer_goes_on()
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
        await Wait.Until(() => dropped.Of("node-unreachable") > 0, "drops counted as node-unreachable");
        // what the link held is counted; what the node had received (at least receivedBeforeKill) is not
        Assert.InRange(dropped.Of("node-unreachable"), 1, count - receivedBeforeKill);
    }
}
