using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Cluster;
using EventEngine.Actors.ClusterNodeHost;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// The split-brain resolver with a real partition: a node process frozen with SIGSTOP stops answering heartbeats while
/// its sockets stay open. Keep-majority downs it on the majority's side, which goes on carrying events; once thawed, the
/// frozen node finds itself alone, downs itself and its process exits, saying why. With two nodes and keep-oldest, the
/// oldest is kept though alone.
/// </summary>
public sealed class SplitBrainTests
{
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Keep_majority_downs_a_frozen_node_the_majority_goes_on_and_the_thawed_node_shuts_itself_down()
    {
        // the node process starts first (the oldest member), so the singleton plugin runs there until it is downed
        using var frozen = RunningProgram.Start(ProgramRunner.BuiltDll("tests", "EventEngine.Actors.ClusterNodeHost"),
            "--singleton", "--stable-after", $"{StableAfter.TotalSeconds}s");
        var frozenAddress = await ReadyAsync(frozen);
        var collected = new ConcurrentQueue<TypeX>();
        await using var majority = await InProcessCluster.StartAsync(2,
            (node, engine) =>
            {
                if (node == 0) engine.AddPlugin<Ticker>();
                else engine.AddPlugin<Collector>(collected);
                engine.AddSingletonPlugin<PingHandler>();
            },
            $$"""
            akka.cluster.split-brain-resolver { active-strategy = keep-majority, stable-after = {{StableAfter.TotalSeconds}}s }
            event-engine.cluster { min-nodes = 3, link.unreachable-grace = 1s }
            """,
            frozenAddress);
        var producer = majority[0];
        using var dropped = new DropCounter(producer);
        await frozen.WaitForLine("^received 100$", Wait.Long);
        Assert.DoesNotContain(majority.Nodes, Singleton.RunsHere);

        var receivedBeforeFreeze = ReceivedSoFar(frozen);
        frozen.Freeze();
        await Wait.Until(() => majority.Nodes.All(n => IsGone(n, frozenAddress)),
            () => $"the majority to down and remove the frozen node (stable-after {StableAfter}); drops so far: {dropped.Of("node-unreachable")} node-unreachable",
            Wait.Long * 2);
        var collectedAtDown = collected.Count;
        await Wait.Until(() => collected.Count >= collectedAtDown + 50, "the majority to carry 50 more events between its nodes");
        var onMajority = await Singleton.RunningOnAsync(majority);

        frozen.Thaw();
        var exitCode = await frozen.WaitForExit(Wait.Long * 2);
        var output = frozen.Output;
        Assert.Contains($"This node ({frozenAddress}) was downed by the cluster", output);
        Assert.Matches(@"shut down: ClusterDowningReason, exit code \d+", output);
        Assert.Equal(CoordinatedShutdown.ClusterDowningReason.Instance.ExitCode, exitCode);
        Assert.DoesNotContain("stopped unexpectedly", output);

        // never back as a zombie; the singleton on one side only; the majority's events all there, in order
        var collectedAtExit = collected.Count;
        await Wait.Until(() => collected.Count >= collectedAtExit + 20, "the majority to carry events after the frozen node's exit");
        Assert.All(majority.Nodes, n => Assert.True(IsGone(n, frozenAddress), $"{frozenAddress} is a member again"));
        Assert.Same(onMajority, Assert.Single(majority.Nodes, Singleton.RunsHere));
        var numbers = collected.Select(x => x.N).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
        // what the frozen node's link held and was sent after the grace is counted, at most what it had not yet received
        Assert.True(dropped.Of("node-unreachable") > 0, "no event for the frozen node counted as node-unreachable");
        Assert.InRange(dropped.Of("node-unreachable") + dropped.Of("node-left"), 1, numbers.Count - receivedBeforeFreeze);
        // the node without the singleton leaves first: leaving both at once, the singleton's hand-over to a node that
        // is leaving too retries until Akka's cluster-exiting timeout (10 s)
        var other = majority.Nodes.Single(n => n != onMajority);
        await CoordinatedShutdown.Get(other.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
    }

    [Fact]
    public async Task Two_nodes_with_keep_oldest_the_younger_downs_itself_and_the_oldest_is_kept_though_alone()
    {
        var keepOldest = $"akka.cluster.split-brain-resolver {{ active-strategy = keep-oldest, keep-oldest.down-if-alone = on, stable-after = {StableAfter.TotalSeconds}s }}";
        using var oldest = RunningProgram.Start(ProgramRunner.BuiltDll("tests", "EventEngine.Actors.ClusterNodeHost"),
            "--keep-oldest", "--stable-after", $"{StableAfter.TotalSeconds}s");
        var oldestAddress = await ReadyAsync(oldest);
        await using var younger = await InProcessCluster.StartAsync(1, (_, _) => { }, keepOldest, oldestAddress);
        var youngerAddress = Akka.Cluster.Cluster.Get(younger[0].System).SelfAddress;

        // one against one: the side without the oldest downs itself (so a crash of the oldest stops both)
        oldest.Freeze();
        await Wait.For(younger[0].System.WhenTerminated, $"the younger node to down itself (stable-after {StableAfter}) and shut down", Wait.Long * 2);
        Assert.Same(CoordinatedShutdown.ClusterDowningReason.Instance, CoordinatedShutdown.Get(younger[0].System).ShutdownReason);

        // the oldest, alone, is kept: it downs the younger, and a new node joins it
        oldest.Thaw();
        await oldest.WaitForLine($@"SBR took decision \S*DownUnreachable and is downing \[{Regex.Escape(youngerAddress.ToString())}\]", Wait.Long);
        await using var newcomer = await InProcessCluster.StartAsync(1, (_, _) => { }, keepOldest, oldestAddress);
        await Wait.Until(() => IsGone(newcomer[0], youngerAddress), "the new node and the oldest to be the only members");
        Assert.DoesNotContain("was downed by the cluster", oldest.Output);
    }

    /// <summary>Waits until a node process has passed its start-up barrier; its address.</summary>
    private static async Task<Address> ReadyAsync(RunningProgram node)
    {
        var address = Address.Parse((await node.WaitForLine(@"^address (\S+)$", TimeSpan.FromSeconds(60))).Groups[1].Value);
        await node.WaitForLine("^ready$", TimeSpan.FromSeconds(60));
        return address;
    }

    /// <summary><paramref name="node"/> and one other are the only members Up, and <paramref name="gone"/> is not a member.</summary>
    private static bool IsGone(EventEngine node, Address gone)
    {
        var state = Akka.Cluster.Cluster.Get(node.System).State;
        return state.Members.All(m => m.Address != gone) && state.Members.Count(m => m.Status == MemberStatus.Up) == 2;
    }

    private static int ReceivedSoFar(RunningProgram node) =>
        node.Output.Split('\n').Select(l => Regex.Match(l, @"^received (\d+)$"))
            .Where(m => m.Success).Max(m => int.Parse(m.Groups[1].Value));

    /// <summary>Publishes TypeX 0, 1, 2, ... every few milliseconds from its start until it stops.</summary>
    private sealed class Ticker : EventPlugin
    {
        protected override async Task OnStartAsync(CancellationToken cancellationToken)
        {
            for (var n = 0; n < 1_000_000; n++)
            {
                await PublishAsync(new TypeX(n));
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    private sealed class Collector : EventPlugin
    {
        public Collector(ConcurrentQueue<TypeX> received) => Subscribe<TypeX>(received.Enqueue);
    }
}
