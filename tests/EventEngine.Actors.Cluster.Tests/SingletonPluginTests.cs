using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.ClusterNodeHost;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// <c>AddSingletonPlugin</c>: one instance in the cluster, which moves when its node leaves or is killed. Events published
/// on any node reach it; on a move it is at most once (no event handled twice, each instance in publication order).
/// </summary>
public sealed class SingletonPluginTests
{
    [Fact]
    public async Task A_singleton_plugin_runs_on_exactly_one_node_and_handles_events_published_on_every_node()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, (_, engine) => engine.AddSingletonPlugin<PingHandler>());
        var running = await Singleton.RunningOnAsync(cluster);
        await using var handled = await cluster[0].Subscriber.SubscribeAsync<Handled>();
        await Singleton.UntilRoutedAsync<Handled>(running);
        foreach (var node in cluster.Nodes) await Singleton.UntilRoutedAsync<Ping>(node);

        var published = new List<int>();
        for (var node = 0; node < 3; node++)
        for (var i = 0; i < 10; i++)
        {
            await cluster[node].Publisher.PublishAsync(new Ping(node * 100 + i));
            published.Add(node * 100 + i);
        }

        var received = await Singleton.TakeAsync(handled, published.Count);
        Assert.Equal(published, received.Select(h => h.N).Order());
        Assert.All(received, h => Assert.Equal(Singleton.AddressOf(running), h.Node));
        Assert.Same(running, Assert.Single(cluster.Nodes, Singleton.RunsHere));
        // its subscriptions count on its node only: the others send Ping there
        Assert.All(cluster.Nodes.Where(n => n != running), n => Assert.Equal(1, InProcessCluster.LinksOnRoute<Ping>(n)));
    }

    [Fact]
    public async Task When_its_node_leaves_a_singleton_plugin_runs_on_another_node_and_handles_events_there_at_most_once()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, (_, engine) => engine.AddSingletonPlugin<PingHandler>());
        var leaving = await Singleton.RunningOnAsync(cluster);
        var publisher = cluster.Nodes.First(n => n != leaving);
        await using var handled = await publisher.Subscriber.SubscribeAsync<Handled>();
        await Singleton.UntilRoutedAsync<Handled>(leaving);
        await Singleton.UntilRoutedAsync<Ping>(publisher);
        await using var pings = Singleton.Ping(publisher, handled);
        var oldNode = Singleton.AddressOf(leaving);
        await Wait.Until(() => pings.Handled.Any(h => h.Node == oldNode), "the singleton to handle a ping on its first node");

        var moving = Stopwatch.StartNew();
        await Akka.Cluster.Cluster.Get(leaving.System).LeaveAsync();
        await Wait.Until(() => pings.Handled.Any(h => h.Node != oldNode), "the singleton to handle a ping on another node");
        var moved = moving.Elapsed;
        var newNode = pings.Handled.First(h => h.Node != oldNode).Node;
        await pings.StopAsync();

        // the issue's target is 10 s (measured by the cluster-singleton benchmark); a busy machine gets a looser bound here
        Assert.True(moved < Wait.Long, $"the singleton handled its first event on the new node {moved} after its node began to leave");
        Assert.Equal(newNode, Singleton.AddressOf(Assert.Single(cluster.Nodes, Singleton.RunsHere)));
        Singleton.AssertAtMostOnceInOrder(pings.Handled.ToList(), oldNode, newNode);
    }

    [Fact]
    public async Task When_its_node_process_is_killed_with_sigkill_a_singleton_plugin_runs_on_another_node_within_stable_after_plus_a_margin()
    {
        var stableAfter = TimeSpan.FromSeconds(3);
        var config = $"""
            akka.cluster.split-brain-resolver {"{"} active-strategy = keep-majority, stable-after = {stableAfter.TotalSeconds}s {"}"}
            """;
        // the node process starts first (the oldest member), so the singleton runs there
        var host = RunningProgram.Start(ProgramRunner.BuiltDll("tests", "EventEngine.Actors.ClusterNodeHost"), "--singleton", "--stable-after", $"{stableAfter.TotalSeconds}s");
        try
        {
            var hostAddress = (await host.WaitForLine(@"^address (\S+)$", TimeSpan.FromSeconds(60))).Groups[1].Value;
            await host.WaitForLine("^ready$", TimeSpan.FromSeconds(60));
            await using var cluster = await InProcessCluster.StartAsync(2, (_, engine) => engine.AddSingletonPlugin<PingHandler>(), config, Address.Parse(hostAddress));
            var publisher = cluster[0];
            await using var handled = await publisher.Subscriber.SubscribeAsync<Handled>();
            await Singleton.UntilRoutedAsync<Ping>(publisher);
            await using var pings = Singleton.Ping(publisher, handled);
            await Wait.Until(() => pings.Handled.Any(h => h.Node == hostAddress), () => $"the singleton to handle a ping in the node process; it printed:\n{host.Output}");
            Assert.DoesNotContain(cluster.Nodes, Singleton.RunsHere);

            var killed = Stopwatch.StartNew();
            host.Dispose(); // SIGKILL
            host = null;
            var bound = stableAfter + TimeSpan.FromSeconds(20);
            await Wait.Until(() => pings.Handled.Any(h => h.Node != hostAddress), "the singleton to handle a ping on a node in this process", bound + Wait.Long);
            var moved = killed.Elapsed;
            var newNode = pings.Handled.First(h => h.Node != hostAddress).Node;
            await pings.StopAsync();

            // the issue's target is stable-after + 10 s (measured by the cluster-singleton benchmark); a looser bound here
            Assert.True(moved < bound, $"the singleton handled its first event on a new node {moved} after its node was killed (stable-after {stableAfter})");
            Assert.Equal(newNode, Singleton.AddressOf(Assert.Single(cluster.Nodes, Singleton.RunsHere)));
            Singleton.AssertAtMostOnceInOrder(pings.Handled.ToList(), hostAddress, newNode);
        }
        finally
        {
            host?.Dispose();
        }
    }

    [Fact]
    public async Task A_singleton_manager_that_stops_while_its_node_is_up_takes_the_engine_down_naming_it()
    {
        // the stopped manager never answers Akka's request at cluster-exiting, which would wait 10 s for it
        await using var cluster = await InProcessCluster.StartAsync(1, (_, engine) => engine.AddSingletonPlugin<PingHandler>(),
            "akka.coordinated-shutdown.phases.cluster-exiting.timeout = 1s");
        var node = await Singleton.RunningOnAsync(cluster);
        node.System.ActorSelection($"/system/event-engine/event-engine-singletons/singleton-{nameof(PingHandler)}").Tell(PoisonPill.Instance);

        await Wait.For(node.System.WhenTerminated, "the engine to shut down");
        var reason = Assert.IsType<Lifecycle.InfrastructureFailedReason>(CoordinatedShutdown.Get(node.System).ShutdownReason);
        Assert.Equal("event-engine-singletons", reason.Actor);
    }

    [Fact]
    public async Task A_singleton_plugin_declared_in_hocon_runs_once_in_the_cluster()
    {
        var type = typeof(PingHandler).AssemblyQualifiedName;
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { },
            $"event-engine.plugins.pings {{ type = \"{type}\", singleton = on }}");
        var running = await Singleton.RunningOnAsync(cluster, "pings");
        Assert.Same(running, Assert.Single(cluster.Nodes, n => Singleton.RunsHere(n, "pings")));
    }

    [Fact]
    public void A_singleton_setting_other_than_on_or_off_is_refused_naming_its_key()
    {
        using var system = ActorSystem.Create("bad-singleton", InProcessCluster.NodeConfig(
            $"event-engine.plugins.pings {{ type = \"{typeof(PingHandler).AssemblyQualifiedName}\", singleton = maybe }}"));
        var e = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, engine => engine.AddCluster()));
        Assert.Contains("event-engine.plugins.pings.singleton = maybe", e.Message);
    }

    [Fact]
    public void A_singleton_plugin_without_the_cluster_is_refused_with_a_clear_error()
    {
        using var system = ActorSystem.Create("no-cluster", ConfigurationFactory.ParseString(
            "event-engine { run-mode = service, wire.enabled = off }").WithFallback(EventEngine.ReferenceConfig));
        var e = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, engine => engine.AddSingletonPlugin<PingHandler>()));
        Assert.Contains("PingHandler", e.Message);
        Assert.Contains("AddCluster()", e.Message);
    }

    [Fact]
    public async Task With_the_cluster_off_a_singleton_plugin_runs_on_its_node()
    {
        var system = ActorSystem.Create("cluster-off", InProcessCluster.NodeConfig("event-engine.cluster.enabled = off"));
        try
        {
            var engine = EventEngine.Start(system, e => e.AddCluster().AddSingletonPlugin<PingHandler>());
            await using var handled = await engine.Subscriber.SubscribeAsync<Handled>();
            await Wait.For(engine.Started, "the engine to start");
            await Singleton.UntilRoutedAsync<Ping>(engine);
            await engine.Publisher.PublishAsync(new Ping(1));
            Assert.Equal(1, Assert.Single(await Singleton.TakeAsync(handled, 1)).N);
            Assert.True(Singleton.RunsHere(engine));
        }
        finally
        {
            await system.Terminate();
        }
    }
}

/// <summary>Where a singleton plugin runs, and a steady stream of pings to it.</summary>
internal static class Singleton
{
    public static string AddressOf(EventEngine node) => Akka.Cluster.Cluster.Get(node.System).SelfAddress.ToString();

    public static bool RunsHere(EventEngine node) => RunsHere(node, nameof(PingHandler));

    public static bool RunsHere(EventEngine node, string plugin) =>
        !node.System.WhenTerminated.IsCompleted && node.PluginStates.Any(p => p.Key.EndsWith("/" + plugin, StringComparison.Ordinal) && p.Value.SingletonNode is not null);

    /// <summary>Waits until exactly one node runs <paramref name="plugin"/>; that node.</summary>
    public static async Task<EventEngine> RunningOnAsync(InProcessCluster cluster, string plugin = nameof(PingHandler))
    {
        await Wait.Until(() => cluster.Nodes.Count(n => RunsHere(n, plugin)) == 1,
            () => $"{plugin} to run on exactly one node (now on {cluster.Nodes.Count(n => RunsHere(n, plugin))})");
        return cluster.Nodes.Single(n => RunsHere(n, plugin));
    }

    /// <summary>Waits until <paramref name="publisher"/> routes <typeparamref name="T"/> to some subscriber (here or on another node).</summary>
    public static Task UntilRoutedAsync<T>(EventEngine publisher) where T : notnull => Wait.Until(() =>
    {
        var route = publisher.Router.Table.RouteFor(publisher.Events.Get<T>());
        return route.Always.Concat(route.IfFrameMatches.Select(c => c.Subscriber)).Any();
    }, $"{publisher.System.Name} to route {typeof(T).Name} to a subscriber");

    public static async Task<List<T>> TakeAsync<T>(IAsyncEnumerable<T> subscription, int count)
    {
        var taken = new List<T>();
        using var timeout = new CancellationTokenSource(Wait.Long);
        try
        {
            await foreach (var e in subscription.WithCancellation(timeout.Token))
            {
                taken.Add(e);
                if (taken.Count == count) return taken;
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"{taken.Count} of {count} events arrived within {Wait.Long.TotalSeconds} s");
    }

    /// <summary>Publishes Ping 0, 1, 2, ... every few milliseconds from <paramref name="publisher"/> and collects what <paramref name="handled"/> gets.</summary>
    public static Pinger Ping(EventEngine publisher, IAsyncEnumerable<Handled> handled) => new(publisher, handled);

    /// <summary>
    /// At most once across a move: no ping handled twice; each instance handled its pings in publication order; every
    /// ping the new instance handled was published after every ping the old one handled; the new one handled some.
    /// </summary>
    public static void AssertAtMostOnceInOrder(IReadOnlyList<Handled> handled, string oldNode, string newNode)
    {
        var duplicates = handled.GroupBy(h => h.N).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"pings handled twice: {string.Join(", ", duplicates.Take(10))}");
        Assert.All(handled, h => Assert.Contains(h.Node, new[] { oldNode, newNode }));
        foreach (var node in new[] { oldNode, newNode })
        {
            var numbers = handled.Where(h => h.Node == node).Select(h => h.N).ToList();
            Assert.True(numbers.SequenceEqual(numbers.Order()), $"{node} handled its pings out of order");
        }
        var lastOld = handled.Where(h => h.Node == oldNode).Max(h => h.N);
        Assert.True(handled.Where(h => h.Node == newNode).All(h => h.N > lastOld), $"the new instance handled a ping published before the old one's last ({lastOld})");
    }

    internal sealed class Pinger : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _publishing;
        private readonly Task _collecting;
        private int _published;

        public Pinger(EventEngine publisher, IAsyncEnumerable<Handled> handled)
        {
            _publishing = Task.Run(async () =>
            {
                for (var n = 0; !_stop.IsCancellationRequested && n < 1_000_000; n++)
                {
                    await publisher.Publisher.PublishAsync(new Ping(n), _stop.Token);
                    Interlocked.Increment(ref _published);
                    await Task.Delay(5, _stop.Token);
                }
            });
            _collecting = Task.Run(async () =>
            {
                await foreach (var h in handled.WithCancellation(_stop.Token)) Handled.Enqueue(h);
            });
        }

        public ConcurrentQueue<Handled> Handled { get; } = new();

        /// <summary>Pings published so far.</summary>
        public int Published => Volatile.Read(ref _published);

        public async Task StopAsync()
        {
            _stop.Cancel();
            try
            {
                await Task.WhenAll(_publishing, _collecting);
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
