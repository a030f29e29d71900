// One engine node for the cluster tests: `--seed akka.tcp://events@127.0.0.1:PORT`. Prints "ready" once its engine has
// passed the start-up barrier, then "received N" every 100 TypeX frames its slow consumer has handled (a small window,
// so it holds its producers back).
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.Plugins;

var seed = Address.Parse(args[Array.IndexOf(args, "--seed") + 1]);
var config = ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.remote.dot-netty.tcp.port = 0
    akka.cluster.downing-provider-class = ""
    event-engine { run-mode = service, wire.enabled = off, flow-control { high-water-mark = 100, low-water-mark = 50 } }
    """).WithFallback(EventEngineCluster.ReferenceConfig);
var system = ActorSystem.Create("events", config);
var engine = EventEngine.Actors.EventEngine.Start(system, e => e.AddCluster().AddPlugin<SlowConsumer>());
await Akka.Cluster.Cluster.Get(system).JoinAsync(seed);
await engine.Started;
Console.WriteLine("ready");
await system.WhenTerminated;

internal sealed class SlowConsumer : EventPlugin
{
    private int _received;

    public SlowConsumer() => SubscribeRaw("TypeX", async (_, cancellationToken) =>
    {
        await Task.Delay(2, cancellationToken);
        if (++_received % 100 == 0) Console.WriteLine($"received {_received}");
    });
}
