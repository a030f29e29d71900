using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.Gateway;
using EventEngine.Samples.Example;

namespace EventEngine.ClusterExample;

/// <summary>
/// One node of the example: an engine in the cluster <c>cluster-example</c> running its node's part of the original
/// example (node 1 MsgProducer, node 2 Counter, node 3 the external PyPlugin, which it launches). Its start-up barrier
/// waits for all three nodes, so MsgProducer's first event reaches Counter and PyPlugin on the other nodes.
/// </summary>
internal static class ExampleNode
{
    /// <summary>The actor system's name: the same on every node of one cluster.</summary>
    public const string SystemName = "cluster-example";

    /// <summary>The example's nodes, one per part of the original example.</summary>
    public const int Count = 3;

    /// <summary>What node <paramref name="node"/> (1 to <see cref="Count"/>) runs.</summary>
    public static string Part(int node) => node switch
    {
        1 => nameof(MsgProducer),
        2 => nameof(Counter),
        3 => "PyPlugin",
        _ => throw new ArgumentOutOfRangeException(nameof(node), node, $"the example's nodes are 1 to {Count}"),
    };

    /// <summary>
    /// Runs node <paramref name="node"/> until its part is done; returns its exit code. It listens on
    /// <paramref name="host"/>:<paramref name="port"/> (0: an ephemeral port) and joins the node at
    /// <paramref name="seed"/> (host:port), or itself without one (the first node).
    /// </summary>
    public static async Task<int> RunAsync(int node, string host, int port, string? seed, int pluginPort, string? pluginScript)
    {
        var repo = RepoLayout.Find();
        var script = pluginScript ?? repo?.PluginScript;
        if (node == 3 && (script is null || !File.Exists(script)))
        {
            Console.Error.WriteLine($"cluster example: cannot find the Python plugin ({script ?? "example/pyplugin/plugin.py"}); pass --plugin-script");
            return 2;
        }
        Address? seedAddress = null;
        if (seed is not null && !TryParseSeed(seed, out seedAddress))
        {
            Console.Error.WriteLine($"cluster example: --seed '{seed}' is not host:port (for example 127.0.0.1:4053)");
            return 2;
        }
        var config = ConfigurationFactory.ParseString($$"""
            {{ConsoleLogger.Hocon}}
            {{repo?.PythonPathHocon}}
            akka {
              remote.dot-netty.tcp { hostname = {{RepoLayout.Quote(host)}}, port = {{port}} }
              # the engine logs what a node does; Akka's membership chatter only when something is wrong
              cluster.log-info = off
              remote.log-remote-lifecycle-events = off
            }
            event-engine {
              # the nodes talk over Akka.Remote; no outside publisher or subscriber in this example
              wire.enabled = off
              # the start-up barrier waits for every node and its subscriptions; nodes started by hand on several
              # machines may come minutes apart
              cluster.min-nodes = {{Count}}
              startup { timeout = 5m, progress-interval = 5s }
            }
            """).WithFallback(EventEngineCluster.ReferenceConfig);
        try
        {
            var exit = await EventEngineApplication.RunAsync(
                engine => AddPart(engine.AddCluster(), node, pluginPort, script),
                config,
                engine =>
                {
                    var cluster = Akka.Cluster.Cluster.Get(engine.System);
                    var self = cluster.SelfAddress;
                    Console.WriteLine($"node {node} ({Part(node)}) is {self}; other nodes join it with --seed {self.Host}:{self.Port}");
                    cluster.Join(seedAddress ?? self);
                },
                SystemName);
            Console.WriteLine($"node {node} ({Part(node)}) exits with {exit}");
            return exit;
        }
        catch (Exception e) when (e is EventEngineException or ConfigurationException)
        {
            Console.Error.WriteLine($"cluster example: node {node}: {e.Message}");
            return 1;
        }
    }

    private static EventEngineBuilder AddPart(EventEngineBuilder engine, int node, int pluginPort, string? script) => node switch
    {
        1 => engine.AddPlugin<MsgProducer>(),
        2 => engine.AddPlugin<Counter>(),
        _ => engine.AddExternalPlugin("PyPlugin", pluginPort, ["TypeA", "TypeB"], [script!]),
    };

    private static bool TryParseSeed(string seed, out Address? address)
    {
        address = null;
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535) return false;
        address = new Address("akka.tcp", SystemName, seed[..colon], port);
        return true;
    }
}
