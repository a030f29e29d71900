using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using EventEngine.Actors.Events;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// Several engine nodes in one process: one actor system each, Akka.Remote on 127.0.0.1 with an ephemeral port, the
/// first node joining itself and the others joining it. Disposing it shuts every node down.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly int _outsideMembers;

    private InProcessCluster(IReadOnlyList<EventEngine> nodes, int outsideMembers)
    {
        Nodes = nodes;
        _outsideMembers = outsideMembers;
    }

    public IReadOnlyList<EventEngine> Nodes { get; }

    public EventEngine this[int node] => Nodes[node];

    /// <summary>The settings every node gets: no wire unless asked, service mode, quick gossip for quick tests.</summary>
    public static Config NodeConfig(string extra = "") => ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.distributed-data.gossip-interval = 200ms
        akka.cluster.distributed-data.notify-subscribers-interval = 50ms
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        event-engine {
          run-mode = service
          wire { enabled = off, publish-port = 0, subscribe-port = 0 }
        }
        {{extra}}
        """).WithFallback(EventEngineCluster.ReferenceConfig);

    /// <summary>
    /// Starts <paramref name="count"/> nodes (node i runs what <paramref name="configure"/>(i) adds) and waits until all are
    /// Up everywhere. With <paramref name="seed"/> (a node in another process) they all join it, and it counts as a member.
    /// </summary>
    public static async Task<InProcessCluster> StartAsync(int count, Action<int, EventEngineBuilder> configure, string extraConfig = "", Address? seed = null)
    {
        var nodes = new List<EventEngine>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var system = ActorSystem.Create("events", NodeConfig(extraConfig));
                var node = i;
                nodes.Add(EventEngine.Start(system, engine => configure(node, engine.AddCluster())));
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(seed ?? (i == 0 ? cluster.SelfAddress : Akka.Cluster.Cluster.Get(nodes[0].System).SelfAddress));
            }
            var started = new InProcessCluster(nodes, seed is null ? 0 : 1);
            await started.UntilAllUpAsync();
            return started;
        }
        catch
        {
            await Task.WhenAll(nodes.Select(n => n.System.Terminate()));
            throw;
        }
    }

    /// <summary>Waits until every running node sees every running node Up.</summary>
    public Task UntilAllUpAsync()
    {
        var running = Nodes.Where(n => !n.System.WhenTerminated.IsCompleted).ToList();
        var members = running.Count + _outsideMembers;
        return Wait.Until(() => running.All(n => Akka.Cluster.Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == members),
            $"{members} nodes to be Up on every node");
    }

    /// <summary>Links to other nodes on <paramref name="publisher"/>'s route for <typeparamref name="T"/> (one per interested node).</summary>
    public static int LinksOnRoute<T>(EventEngine publisher) where T : notnull
    {
        var route = publisher.Router.Table.RouteFor(publisher.Events.Get<T>());
        return route.Always.Concat(route.IfFrameMatches.Select(c => c.Subscriber)).Count(IsLink);
    }

    /// <summary>Waits until <paramref name="publisher"/> sends <typeparamref name="T"/> to <paramref name="nodes"/> other nodes.</summary>
    public static Task UntilLinkedAsync<T>(EventEngine publisher, int nodes) where T : notnull =>
        Wait.Until(() => LinksOnRoute<T>(publisher) == nodes,
            () => $"{publisher.System.Name} to route {typeof(T).Name} to {nodes} other node(s) (now {LinksOnRoute<T>(publisher)})");

    private static bool IsLink(IActorRef subscriber) => subscriber.Path.Name.StartsWith("link-", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Where(n => !n.System.WhenTerminated.IsCompleted)
            .Select(n => CoordinatedShutdown.Get(n.System).Run(CoordinatedShutdown.ClrExitReason.Instance)));
    }
}

public sealed record TypeX(int N, string From = "");

public sealed record TypeY(int N, string From = "");
