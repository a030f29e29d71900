using Akka.Actor;
using Akka.Cluster;
using EventEngine.Actors.ClusterNodeHost;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// A singleton plugin's fence, with real processes: while its node sees no majority of the members reachable, the plugin
/// does not run there (the other side of a partition may down that node and start its own instance), and it runs there
/// again once the majority is back. No split-brain resolver here, so nobody is downed and the singleton stays put.
/// </summary>
public sealed class SingletonFenceTests
{
    [Fact]
    public async Task A_singleton_plugin_stops_while_its_node_sees_no_majority_and_runs_there_again_when_the_majority_is_back()
    {
        var program = ProgramRunner.BuiltDll("tests", "EventEngine.Actors.ClusterNodeHost");
        // the first process is the oldest member, so the singleton runs there
        using var oldest = RunningProgram.Start(program, "--singleton");
        var oldestAddress = (await oldest.WaitForLine(@"^address (\S+)$", TimeSpan.FromSeconds(60))).Groups[1].Value;
        await oldest.WaitForLine("^ready$", TimeSpan.FromSeconds(60));
        await using var cluster = await InProcessCluster.StartAsync(1, (_, engine) => engine.AddSingletonPlugin<PingHandler>(),
            "akka.cluster.downing-provider-class = \"\"", Address.Parse(oldestAddress));
        using var second = RunningProgram.Start(program, "--singleton", "--seed", oldestAddress);
        using var third = RunningProgram.Start(program, "--singleton", "--seed", oldestAddress);
        await second.WaitForLine("^ready$", Wait.Long);
        await third.WaitForLine("^ready$", Wait.Long);
        var publisher = cluster[0];
        await Wait.Until(() => Akka.Cluster.Cluster.Get(publisher.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 4, "four members Up");
        await using var handled = await publisher.Subscriber.SubscribeAsync<Handled>();
        await Singleton.UntilRoutedAsync<Ping>(publisher);
        await using var pings = Singleton.Ping(publisher, handled);
        await Wait.Until(() => pings.Handled.Any(h => h.Node == oldestAddress), () => $"the singleton to handle a ping on the oldest node; it printed:\n{oldest.Output}");

        second.Freeze();
        third.Freeze();
        try
        {
            await oldest.WaitForLine(@"Singleton plugin PingHandler stops on this node .*: it sees 2 of 4 members reachable", Wait.Long);
            var publishedWhenFenced = pings.Published;
            await Wait.Until(() => pings.Published >= publishedWhenFenced + 200, "200 more pings to be published while the singleton is fenced");
        }
        finally
        {
            second.Thaw();
            third.Thaw();
        }
        var handledBeforeThaw = pings.Handled.Count;
        await Wait.Until(() => pings.Handled.Skip(handledBeforeThaw).Any(), () => $"the singleton to handle pings again; the oldest node printed:\n{oldest.Output}", Wait.Long * 2);
        await pings.StopAsync();

        var all = pings.Handled.ToList();
        Assert.All(all, h => Assert.Equal(oldestAddress, h.Node));
        var numbers = all.Select(h => h.N).ToList();
        Assert.True(numbers.SequenceEqual(numbers.Distinct().Order()), "pings handled twice or out of order");
        // while fenced the plugin did not run: the pings published then were never handled (a gap of 200 or more)
        var largestGap = numbers.Zip(numbers.Skip(1), (a, b) => b - a).Max();
        Assert.True(largestGap >= 200, $"the largest gap between handled pings is {largestGap}: the singleton went on handling pings while fenced");
        Assert.DoesNotContain(cluster.Nodes, Singleton.RunsHere);
    }

    [Theory]
    [InlineData("0s")] // Akka would read it as "use stable-after"
    [InlineData("-1s")]
    public void A_removal_margin_of_zero_or_less_is_refused_naming_its_key(string margin)
    {
        var config = InProcessCluster.NodeConfig($"event-engine.cluster.singleton.removal-margin = {margin}");
        var error = Assert.Throws<EventEngineException>(() => ClusterSettings.From(config));
        Assert.Contains($"event-engine.cluster.singleton.removal-margin = {margin} is not valid", error.Message);
    }

    [Fact]
    public void The_removal_margin_is_one_second_unless_set()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), ClusterSettings.From(InProcessCluster.NodeConfig()).SingletonRemovalMargin);
        Assert.Equal(TimeSpan.FromMilliseconds(500), ClusterSettings.From(InProcessCluster.NodeConfig("event-engine.cluster.singleton.removal-margin = 500ms")).SingletonRemovalMargin);
    }
}
