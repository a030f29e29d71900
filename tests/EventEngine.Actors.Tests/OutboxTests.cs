using System.Text;
using Akka.Actor;
using Akka.TestKit;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// What a plugin publishes while it handles one message goes to its plugin subscribers in batches (<see cref="Outbox"/>):
/// the router with probes standing as subscribers (who gets what, when, in which order), then whole engines (a batch
/// whose handler fails, finishes or is stopped part-way loses nothing and settles every credit).
/// </summary>
public class OutboxTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly EngineMetrics _metrics = new("outbox-test");
    private readonly EventRouter _router;
    private readonly CreditWindow _credit = new("test", highWaterMark: 1000, lowWaterMark: 500);
    private readonly Outbox _outbox = new();
    private readonly List<SubscriberEntry> _subscribers = new();

    public OutboxTests() : base(TestConfig.Engine("event-engine.plugins { single.max-batch = 1, oops.max-batch = 0, words.max-batch = lots, idle.max-concurrency = 0 }"))
    {
        var registry = new EventRegistry();
        registry.Register(TypeA.Definition);
        registry.Register(TypeB.Definition);
        _router = new EventRouter(registry, _metrics, Sys.Log);
    }

    protected override void Dispose(bool disposing)
    {
        _metrics.Dispose();
        base.Dispose(disposing);
    }

    private TestProbe Subscriber(bool plugin, params string[] prefixes)
    {
        var probe = CreateTestProbe();
        _subscribers.Add(new SubscriberEntry(probe.Ref, [.. prefixes.Select(Encoding.ASCII.GetBytes)], TakesBatches: plugin));
        _router.Table = new RoutingTable([.. _subscribers], []);
        return probe;
    }

    private void Publish(object @event) =>
        _router.Publish(_router.Registry.Get(@event.GetType()), @event, _credit, "test", outbox: _outbox);

    private static object[] Events(TestProbe probe) => probe.ExpectMsg<object>() switch
    {
        DeliveryBatch batch => [.. batch.Deliveries.Select(d => d.Event)],
        Delivery delivery => [delivery.Event],
        var other => throw new Xunit.Sdk.XunitException($"expected a delivery or a batch, got {other}"),
    };

    [Fact]
    public void Queued_events_reach_each_plugin_as_one_batch_in_publish_order_and_other_subscribers_at_once()
    {
        var first = Subscriber(plugin: true, "TypeA");
        var second = Subscriber(plugin: true, "Type");
        var session = Subscriber(plugin: false, "TypeA");

        for (var i = 0; i < 3; i++) Publish(new TypeA($"a{i}"));

        Assert.Equal(9, _credit.InFlight); // taken at publish, before anything is sent
        Assert.Equal(new object[] { new TypeA("a0") }, Events(session));
        Assert.Equal(new object[] { new TypeA("a1") }, Events(session));
        Assert.Equal(new object[] { new TypeA("a2") }, Events(session));
        // Tell is synchronous: anything sent would already be in the probes' queues.
        Assert.False(first.HasMessages);
        Assert.False(second.HasMessages);
        Assert.True(_outbox.Holding);

        _outbox.Flush();
        var expected = new object[] { new TypeA("a0"), new TypeA("a1"), new TypeA("a2") };
        var batch = first.ExpectMsg<DeliveryBatch>();
        Assert.Equal(expected, batch.Deliveries.Select(d => d.Event));
        Assert.Same(batch, second.ExpectMsg<DeliveryBatch>()); // one batch, shared by the route's plugins
        Assert.False(_outbox.Holding);
    }

    [Fact]
    public void A_full_batch_goes_at_once_and_a_single_event_goes_as_itself()
    {
        var plugin = Subscriber(plugin: true, "TypeB");

        for (var i = 0; i < Outbox.DefaultBatchSize; i++) Publish(new TypeB(i));
        Assert.Equal(Enumerable.Range(0, Outbox.DefaultBatchSize).Select(i => (object)new TypeB(i)), plugin.ExpectMsg<DeliveryBatch>().Deliveries.Select(d => d.Event));

        Publish(new TypeB(99));
        _outbox.Flush();
        Assert.Equal(new TypeB(99), plugin.ExpectMsg<Delivery>().Event);
        Assert.Equal(Outbox.DefaultBatchSize + 1, _credit.InFlight);
    }

    [Fact]
    public void With_a_batch_size_of_one_every_event_goes_as_it_is_published()
    {
        var plugin = Subscriber(plugin: true, "TypeB");
        var outbox = new Outbox(batchSize: 1);

        for (var i = 0; i < 3; i++)
        {
            _router.Publish(TypeB.Definition, new TypeB(i), _credit, "test", outbox: outbox);
            Assert.Equal(new TypeB(i), plugin.ExpectMsg<Delivery>().Event);
            Assert.False(outbox.Holding);
        }
    }

    [Fact]
    public async Task The_batch_size_is_read_per_plugin_and_a_bad_one_names_its_key()
    {
        var engine = EventEngine.Start(Sys, _ => { });
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, engine.Settings.MaxBatchFor("single"));
        Assert.Equal(Outbox.DefaultBatchSize, engine.Settings.MaxBatchFor("anyone"));
        var e = Assert.Throws<EventEngineException>(() => engine.Settings.MaxBatchFor("oops"));
        Assert.Equal("event-engine.plugins.\"oops\".max-batch = 0 must be between 1 and 4096", e.Message);
        e = Assert.Throws<EventEngineException>(() => engine.Settings.MaxBatchFor("words"));
        Assert.Equal("event-engine.plugins.\"words\".max-batch = lots is not valid: expected a whole number", e.Message);
        // max-concurrency is read the same way, with no upper bound
        e = Assert.Throws<EventEngineException>(() => engine.Settings.MaxConcurrencyFor("idle"));
        Assert.Equal("event-engine.plugins.\"idle\".max-concurrency = 0 must be at least 1", e.Message);
    }

    [Fact]
    public void An_event_of_another_route_sends_what_was_queued_before_it()
    {
        var plugin = Subscriber(plugin: true, "TypeA", "TypeB");

        Publish(new TypeA("first"));
        Publish(new TypeA("second"));
        Publish(new TypeB(3));
        Assert.Equal(new object[] { new TypeA("first"), new TypeA("second") }, Events(plugin));
        Assert.False(plugin.HasMessages);
        _outbox.Flush();
        Assert.Equal(new object[] { new TypeB(3) }, Events(plugin));
    }

    [Fact]
    public void A_plugin_matched_by_an_events_payload_gets_what_was_queued_for_it_before_that_event()
    {
        // TypeA always reaches it (batched); TypeB only when its payload starts with 4 (told directly, per frame).
        var plugin = Subscriber(plugin: true, "TypeA", "TypeB4");

        Publish(new TypeA("before"));
        Publish(new TypeB(42));
        Publish(new TypeB(7)); // not for it
        Publish(new TypeA("after"));
        _outbox.Flush();

        Assert.Equal(new object[] { new TypeA("before") }, Events(plugin));
        Assert.Equal(new object[] { new TypeB(42) }, Events(plugin));
        Assert.Equal(new object[] { new TypeA("after") }, Events(plugin));
        Assert.False(plugin.HasMessages);
    }

    [Fact]
    public async Task A_batch_that_reaches_a_stopped_plugin_is_settled_and_counted_event_by_event()
    {
        using var metrics = new MetricsRecorder();
        var engine = EventEngine.Start(Sys, _ => { });
        metrics.Watch(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var stopped = CreateTestProbe();
        Watch(stopped.Ref);
        Sys.Stop(stopped.Ref);
        ExpectTerminated(stopped.Ref);

        var window = new CreditWindow("test", highWaterMark: 100, lowWaterMark: 50);
        window.Take(3);
        stopped.Ref.Tell(new DeliveryBatch([.. Enumerable.Range(0, 3).Select(i => Delivery.Create(new Ping(i), engine.Events.Get<Ping>(), window))]));

        await Wait.Until(() => window.InFlight == 0 && metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped") == 3,
            () => $"the window to empty ({window.InFlight} in flight) and 3 drops to be counted ({metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped")})");
    }

    /// <summary>Reports every ping; finishes at <c>finishAt</c>.</summary>
    private sealed class Quitter : EventPlugin
    {
        public Quitter(IActorRef probe, int finishAt) => Subscribe<Ping>(p =>
        {
            probe.Tell(p.N);
            if (p.N == finishAt) Finish();
        });
    }

    /// <summary>Publishes a TypeA for every ping, then throws.</summary>
    private sealed class PublishesThenThrows : EventPlugin
    {
        public PublishesThenThrows() => Subscribe<Ping>(p =>
        {
            Publish(new TypeA($"before {p.N}"));
            throw new InvalidOperationException($"after {p.N}");
        });
    }

    [Fact]
    public async Task What_a_failing_handler_published_before_it_threw_arrives_before_its_poison_event()
    {
        var observer = CreateTestProbe();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<PublishesThenThrows>("thrower")
            .AddPlugin<Recorder>("observer", observer.Ref, new[] { typeof(TypeA), typeof(PoisonEvent) }, null!));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));

        engine.Publish(new Ping(1));
        Assert.Equal(new TypeA("before 1"), observer.ExpectMsg<TypeA>());
        Assert.Equal("after 1", observer.ExpectMsg<PoisonEvent>().Message);
    }

    [Fact]
    public async Task A_plugin_that_finishes_part_way_through_a_batch_handles_no_more_of_it_and_the_rest_is_dropped_and_settled()
    {
        var probe = CreateTestProbe();
        var (metrics, burst) = await PingBurst.StartAsync(Sys, e => e.AddPlugin<Quitter>("quitter", probe.Ref, 4));
        using var _ = metrics;

        Assert.Equal([1, 2, 3, 4], new[] { probe.ExpectMsg<int>(), probe.ExpectMsg<int>(), probe.ExpectMsg<int>(), probe.ExpectMsg<int>() });
        await Wait.Until(() => burst.InFlight == 0 && metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped") == 6,
            $"the burst's window to empty ({burst.InFlight} in flight) and 6 drops to be counted ({metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped")})");
        Assert.False(probe.HasMessages);
    }
}

/// <summary>A batch whose handler fails part-way, in a plugin that supervision then stops: the rest is settled.</summary>
public class OutboxStopTests : Akka.TestKit.Xunit2.TestKit
{
    public OutboxStopTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 0, within = 1m }
        """)) { }

    private sealed class FailsAt : EventPlugin
    {
        public FailsAt(IActorRef probe, int failAt) => Subscribe<Ping>(p =>
        {
            if (p.N == failAt) throw new InvalidOperationException($"fails at {failAt}");
            probe.Tell(p.N);
        });
    }

    [Fact]
    public async Task A_plugin_stopped_by_a_failure_part_way_through_a_batch_leaves_the_rest_dropped_and_settled()
    {
        var probe = CreateTestProbe();
        var (metrics, burst) = await PingBurst.StartAsync(Sys, e => e.AddPlugin<FailsAt>("fails", probe.Ref, 3));
        using var _ = metrics;

        Assert.Equal([1, 2], new[] { probe.ExpectMsg<int>(), probe.ExpectMsg<int>() });
        await Wait.Until(() => burst.InFlight == 0 && metrics.Sum("event_engine.plugin.stops", "plugin", "fails") == 1,
            $"the burst's window to empty ({burst.InFlight} in flight) and the plugin to be stopped");
        Assert.Equal(7, metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped"));
        Assert.Equal(1, metrics.Sum("event_engine.events.poison", "plugin", "fails"));
        Assert.False(probe.HasMessages);
    }
}

/// <summary>Publishes pings 1..count in its start hook, in one go: its plugin subscribers get them in batches.</summary>
internal sealed class PingBurst(int count) : EventPlugin
{
    protected override void OnStart()
    {
        for (var i = 1; i <= count; i++) Publish(new Ping(i));
    }

    /// <summary>
    /// Starts an engine with the subscribers <paramref name="configure"/> adds and a burst of 10 pings named <c>burst</c>;
    /// returns its metrics (recorded from before the start) and the burst's flow-control window.
    /// </summary>
    public static async Task<(MetricsRecorder Metrics, CreditWindow Burst)> StartAsync(ActorSystem system, Action<EventEngineBuilder> configure)
    {
        var metrics = new MetricsRecorder();
        var engine = EventEngine.Start(system, e => configure(e.AddPlugin<PingBurst>("burst", 10)));
        metrics.Watch(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var burst = await system.ActorSelection("/system/event-engine/event-engine-plugins/burst").ResolveOne(TimeSpan.FromSeconds(5));
        return (metrics, engine.PluginStateOf(burst).Credit);
    }
}
