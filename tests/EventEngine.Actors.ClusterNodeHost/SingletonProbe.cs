using EventEngine.Actors.Plugins;

// Compiled into this program, into EventEngine.Actors.Cluster.Tests and into the bench's cluster-singleton scenario
// (linked there): the same singleton plugin and event types on every node, in process or not.
namespace EventEngine.Actors.ClusterNodeHost;

/// <summary>What the singleton plugin of the tests handles.</summary>
public sealed record Ping(int N);

/// <summary>The singleton's answer: which node handled ping <see cref="N"/>.</summary>
public sealed record Handled(int N, string Node);

/// <summary>The singleton plugin of the tests: answers every <see cref="Ping"/> with a <see cref="Handled"/> naming its node.</summary>
public sealed class PingHandler : EventPlugin
{
    public PingHandler()
    {
        var node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Subscribe<Ping>(p => Publish(new Handled(p.N, node)));
    }
}
