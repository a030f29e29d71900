// One engine node for the cluster tests. Prints "address ADDRESS" once it listens, "ready" once its engine has passed the
// start-up barrier, then "received N" every 100 TypeX frames its slow consumer has handled (a small window, so it holds
// its producers back), and "shut down: REASON, exit code N" when its actor system has terminated (it exits with N).
//   --seed akka.tcp://events@127.0.0.1:PORT   the node to join (without it: joins itself, the first node of a cluster)
//   --singleton                               also registers the singleton plugin PingHandler (as SingletonPluginTests do)
//   --stable-after 3s                         downs unreachable nodes with the split-brain resolver (keep-majority) after
//                                             this long; without it the node never downs anyone
//   --keep-oldest                             with --stable-after: keep-oldest with down-if-alone instead of keep-majority
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.ClusterNodeHost;
using EventEngine.Actors.Plugins;

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;

var stableAfter = Option("--stable-after");
var downing = stableAfter is null
    ? "akka.cluster.downing-provider-class = \"\""
    : $"akka.cluster.split-brain-resolver {{ active-strategy = {(args.Contains("--keep-oldest") ? "keep-oldest, keep-oldest.down-if-alone = on" : "keep-majority")}, stable-after = {stableAfter} }}";
var config = ConfigurationFactory.ParseString($$"""
    akka.loglevel = WARNING
    akka.remote.dot-netty.tcp.port = 0
    akka.cluster.gossip-interval = 200ms
    akka.cluster.leader-actions-interval = 200ms
    akka.cluster.distributed-data.gossip-interval = 200ms
    {{downing}}
    event-engine { run-mode = service, wire.enabled = off, flow-control { high-water-mark = 100, low-water-mark = 50 } }
    """).WithFallback(EventEngineCluster.ReferenceConfig);
var system = ActorSystem.Create("events", config);
var engine = EventEngine.Actors.EventEngine.Start(system, e =>
{
    e.AddCluster().AddPlugin<SlowConsumer>();
    if (args.Contains("--singleton")) e.AddSingletonPlugin<PingHandler>();
});
var cluster = Akka.Cluster.Cluster.Get(system);
Console.WriteLine($"address {cluster.SelfAddress}");
await cluster.JoinAsync(Option("--seed") is { } seed ? Address.Parse(seed) : cluster.SelfAddress);
await engine.Started;
Console.WriteLine("ready");
await system.WhenTerminated;
var reason = CoordinatedShutdown.Get(system).ShutdownReason;
Console.WriteLine($"shut down: {reason?.GetType().Name ?? "no reason"}, exit code {reason?.ExitCode ?? 0}");
return reason?.ExitCode ?? 0;

internal sealed class SlowConsumer : EventPlugin
{
    private int _received;

    public SlowConsumer() => SubscribeRaw("TypeX", async (_, cancellationToken) =>
    {
        await Task.Delay(2, cancellationToken);
        if (++_received % 100 == 0) Console.WriteLine($"received {_received}");
    });
}
