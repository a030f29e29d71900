using System.CommandLine;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.ClusterNodeHost;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;
using NetMQ;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>
/// cluster-singleton (opt-in: <c>--scenarios cluster-singleton</c>): how long a singleton plugin (AddSingletonPlugin)
/// takes to handle events again on another node once its node leaves gracefully, and once its node's process is killed
/// with SIGKILL, beside the split-brain resolver's stable-after (the part of a crash's move that is a setting, not
/// work). Each round is a fresh three-node cluster on loopback with Akka's default cluster timings: for a leave three
/// actor systems in this process; for a kill the oldest node (where the singleton runs) is this program again in a child
/// process (the hidden <c>cluster-singleton-node</c> sub-command). A node in this process pings every 2 ms; the time is
/// from the leave (or the kill) until the first answer from the new node. Targets: leave ≤ 10 s, kill ≤ stable-after + 10 s.
/// A kill's move is failure detection + stable-after + the singleton's removal margin
/// (<c>event-engine.cluster.singleton.removal-margin</c>, 1 s) + the start; the engine's defaults throughout.
/// </summary>
public static class ClusterSingleton
{
    public const string Name = "cluster-singleton";
    private const string NodeCommandName = "cluster-singleton-node";
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(BenchContext context)
    {
        // Akka's default stable-after (20 s) in a full run; a short one keeps a quick run short.
        var timings = new Timings(context.Quick ? "5s" : null);
        var rounds = context.Quick ? 1 : 3;
        var stableAfter = timings.StableAfter;
        Console.Error.WriteLine($"bench: {Name}: split-brain resolver stable-after {stableAfter.TotalSeconds:F0} s, {rounds} round(s) per case");
        var leaves = new List<double>();
        var kills = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            leaves.Add(await Round("leave", round, () => MoveAfterLeave(timings)));
            kills.Add(await Round("kill -9", round, () => MoveAfterKill(timings)));
        }
        var results = context.Results;
        results.Add(new Row(Name, "leave", "move time (median)", "s", Stats.Median(leaves), "stable-after", stableAfter.TotalSeconds, false, rounds, rounds));
        results.Add(new Row(Name, "kill-9", "move time (median)", "s", Stats.Median(kills), "stable-after", stableAfter.TotalSeconds, false, rounds, rounds));
        results.Check("singleton runs again ≤ 10 s after its node leaves (worst round)", leaves.Max() <= 10, $"{leaves.Max():F2} s");
        var bound = stableAfter.TotalSeconds + 10;
        results.Check($"singleton runs again ≤ stable-after + 10 s = {bound:F0} s after kill -9 (worst round)", kills.Max() <= bound, $"{kills.Max():F2} s");
    }

    /// <summary>The hidden sub-command: one node that joins itself, runs the singleton, prints its address and "ready".</summary>
    public static Command NodeCommand()
    {
        var stableAfter = new Option<string?>("--stable-after");
        var command = new Command(NodeCommandName, "One node of the cluster-singleton scenario in this process (used by it)") { stableAfter };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            var system = ActorSystem.Create("bench", new Timings(parse.GetValue(stableAfter)).NodeConfig());
            var engine = Actors.EventEngine.Start(system, e => e.AddCluster().AddSingletonPlugin<PingHandler>());
            var cluster = Akka.Cluster.Cluster.Get(system);
            Console.WriteLine($"address {cluster.SelfAddress}");
            await cluster.JoinAsync(cluster.SelfAddress);
            await engine.Started;
            Console.WriteLine("ready");
            await system.WhenTerminated;
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return command;
    }

    private static async Task<double> Round(string what, int round, Func<Task<TimeSpan>> move)
    {
        var seconds = (await move()).TotalSeconds;
        Console.Error.WriteLine($"bench: {Name}: {what}, round {round + 1}: {seconds:F2} s");
        return seconds;
    }

    /// <summary>The split-brain resolver's stable-after of a round (null: Akka's default).</summary>
    private sealed record Timings(string? StableAfterSetting)
    {
        /// <summary>The stable-after a node runs with: the setting, or Akka.Cluster's default (its embedded reference configuration).</summary>
        public TimeSpan StableAfter => NodeConfig()
            .WithFallback(ConfigurationFactory.FromResource<Akka.Cluster.Cluster>("Akka.Cluster.Configuration.Cluster.conf"))
            .GetTimeSpan("akka.cluster.split-brain-resolver.stable-after");

        public Config NodeConfig() => ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.port = 0
            # nodes are killed and leave on purpose: their remoting errors are expected (a round that fails times out)
            akka { loglevel = OFF, stdout-loglevel = OFF, remote.log-remote-lifecycle-events = off }
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            # a round's nodes are stopped together: none waits long for the others to see it exit
            akka.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
            event-engine { run-mode = service, wire.enabled = off }
            {{(StableAfterSetting is null ? "" : $"akka.cluster.split-brain-resolver.stable-after = {StableAfterSetting}")}}
            """).WithFallback(EngineRunner.Config()).WithFallback(EventEngineCluster.ReferenceConfig);

        public IEnumerable<string> Arguments()
        {
            if (StableAfterSetting is not null) yield return $"--stable-after={StableAfterSetting}";
        }
    }

    private static async Task<TimeSpan> MoveAfterLeave(Timings timings)
    {
        var nodes = new List<Actors.EventEngine>();
        try
        {
            for (var i = 0; i < 3; i++) nodes.Add(await StartNode(timings, nodes.Count == 0 ? null : Address(nodes[0])));
            // the singleton runs on the oldest node, the first; the youngest publishes
            return await TimeMove(nodes[^1], oldNode =>
            {
                var leaving = nodes.Single(n => AddressOf(n) == oldNode && n != nodes[^1]);
                Akka.Cluster.Cluster.Get(leaving.System).Leave(Address(leaving));
            });
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => EngineRunner.Terminate(n.System)));
        }
    }

    private static async Task<TimeSpan> MoveAfterKill(Timings timings)
    {
        using var child = StartChild(timings);
        var nodes = new List<Actors.EventEngine>();
        try
        {
            var address = await child.Line("address ");
            await child.Line("ready");
            for (var i = 0; i < 2; i++) nodes.Add(await StartNode(timings, Akka.Actor.Address.Parse(address)));
            return await TimeMove(nodes[0], oldNode =>
            {
                if (oldNode != address) throw new InvalidOperationException($"the singleton runs on {oldNode}, not on the oldest node {address}");
                child.Process.Kill(); // SIGKILL
            });
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => EngineRunner.Terminate(n.System)));
        }
    }

    /// <summary>
    /// Pings from <paramref name="publisher"/> until the singleton answers, runs <paramref name="move"/> with the node that
    /// answered, and times the first answer from another node.
    /// </summary>
    private static async Task<TimeSpan> TimeMove(Actors.EventEngine publisher, Action<string> move)
    {
        await using var handled = await publisher.Subscriber.SubscribeAsync<Handled>();
        using var stop = new CancellationTokenSource(RoundTimeout);
        var pinging = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await publisher.Publisher.PublishAsync(new Ping(n), stop.Token);
                await Task.Delay(2, stop.Token);
            }
        });
        var clock = new Stopwatch();
        string? oldNode = null;
        try
        {
            await foreach (var answer in handled.WithCancellation(stop.Token))
            {
                if (oldNode is null)
                {
                    oldNode = answer.Node;
                    clock.Start();
                    move(oldNode);
                }
                else if (answer.Node != oldNode) return clock.Elapsed;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            try { await pinging; } catch (OperationCanceledException) { }
        }
        throw new TimeoutException($"the singleton did not {(oldNode is null ? "answer" : $"answer from a node other than {oldNode}")} within {RoundTimeout}");
    }

    private static async Task<Actors.EventEngine> StartNode(Timings timings, Address? seed)
    {
        var system = ActorSystem.Create("bench", timings.NodeConfig());
        var engine = Actors.EventEngine.Start(system, e => e.AddCluster().AddSingletonPlugin<PingHandler>());
        var cluster = Akka.Cluster.Cluster.Get(system);
        await cluster.JoinAsync(seed ?? cluster.SelfAddress).WaitAsync(RoundTimeout);
        return engine;
    }

    private static Address Address(Actors.EventEngine node) => Akka.Cluster.Cluster.Get(node.System).SelfAddress;

    private static string AddressOf(Actors.EventEngine node) => Address(node).ToString();

    private static ChildNode StartChild(Timings timings)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(ClusterSingleton).Assembly.Location);
        info.ArgumentList.Add(NodeCommandName);
        foreach (var argument in timings.Arguments()) info.ArgumentList.Add(argument);
        return new ChildNode(Process.Start(info)!);
    }

    /// <summary>The node in a child process; killed (SIGKILL) on dispose if still running.</summary>
    private sealed class ChildNode(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        /// <summary>The rest of the first line it prints starting with <paramref name="start"/>.</summary>
        public async Task<string> Line(string start)
        {
            using var timeout = new CancellationTokenSource(RoundTimeout);
            while (await Process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith(start, StringComparison.Ordinal)) return line[start.Length..];
            throw new InvalidOperationException($"the {NodeCommandName} process exited before printing '{start}': {await Process.StandardError.ReadToEndAsync()}");
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            Process.Dispose();
        }
    }
}
