using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// The bridge of a real engine, driven with its own messages: its subscription bookkeeping (subscribe, resubscribe,
/// unsubscribe, a subscriber that stops), routing observers, one snapshot per batch of changes, deliveries that end in
/// dead letters, and its wire released when it stops.
/// </summary>
public class ZmqBridgeTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly EventEngine _engine;

    public ZmqBridgeTests() : base(TestConfig.Engine()) => _engine = EventEngine.Start(Sys, _ => { });

    private static ImmutableArray<byte[]> Prefixes(params string[] prefixes) => [.. prefixes.Select(p => System.Text.Encoding.ASCII.GetBytes(p))];

    private static bool Routes(RoutingTable table, IActorRef subscriber, string prefix) =>
        table.Subscribers.Any(e => e.Subscriber.Equals(subscriber) && e.Prefixes.Any(p => p.AsSpan().SequenceEqual(System.Text.Encoding.ASCII.GetBytes(prefix))));

    private static bool Knows(RoutingTable table, IActorRef subscriber) => table.Subscribers.Any(e => e.Subscriber.Equals(subscriber));

    /// <summary>The observer's next snapshots until one satisfies <paramref name="condition"/>.</summary>
    private static RoutingTable NextTable(TestProbe observer, Func<RoutingTable, bool> condition) =>
        observer.FishForMessage<RoutingChanged>(changed => condition(changed.Table), TimeSpan.FromSeconds(20)).Table;

    private TestProbe Observer()
    {
        var observer = CreateTestProbe();
        _engine.Bridge.Tell(new ObserveRouting(observer.Ref));
        observer.ExpectMsg<RoutingChanged>(TimeSpan.FromSeconds(20)); // the current table, at once
        return observer;
    }

    [Fact]
    public void A_subscriber_is_routed_until_it_unsubscribes_or_stops_and_is_told_once_its_subscription_is_active()
    {
        var observer = Observer();
        var first = CreateTestProbe();
        _engine.Bridge.Tell(new Subscribe(first.Ref, Prefixes("Zz1")), first.Ref);
        first.ExpectMsg<SubscriptionsActive>(TimeSpan.FromSeconds(20));
        Assert.True(Routes(NextTable(observer, t => Knows(t, first.Ref)), first.Ref, "Zz1"));
        Assert.True(Routes(_engine.Router.Table, first.Ref, "Zz1"));

        _engine.Bridge.Tell(new Subscribe(first.Ref, Prefixes("Zz2")), first.Ref); // a new subscription replaces the old one
        first.ExpectMsg<SubscriptionsActive>(TimeSpan.FromSeconds(20));
        var replaced = NextTable(observer, t => Routes(t, first.Ref, "Zz2"));
        Assert.False(Routes(replaced, first.Ref, "Zz1"));
        Assert.Single(replaced.Subscribers, e => e.Subscriber.Equals(first.Ref));

        var second = CreateTestProbe();
        _engine.Bridge.Tell(new Subscribe(second.Ref, Prefixes("Zz3")), second.Ref);
        second.ExpectMsg<SubscriptionsActive>(TimeSpan.FromSeconds(20));
        NextTable(observer, t => Knows(t, second.Ref));
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // told once per subscription, not on every later snapshot

        _engine.Bridge.Tell(new Unsubscribe(first.Ref)); // nothing else changes after it: published all the same
        Assert.True(Knows(NextTable(observer, t => !Knows(t, first.Ref)), second.Ref));

        Sys.Stop(second.Ref); // a subscriber that stops without unsubscribing is forgotten
        NextTable(observer, t => !Knows(t, second.Ref));
        Assert.False(Knows(_engine.Router.Table, second.Ref));
    }

    [Fact]
    public void A_resubscription_after_an_unsubscribe_is_watched_again_and_forgotten_when_it_stops()
    {
        var observer = Observer();
        var subscriber = CreateTestProbe();
        _engine.Bridge.Tell(new Subscribe(subscriber.Ref, Prefixes("Zy")), subscriber.Ref);
        NextTable(observer, t => Knows(t, subscriber.Ref));
        _engine.Bridge.Tell(new Unsubscribe(subscriber.Ref));
        NextTable(observer, t => !Knows(t, subscriber.Ref));
        _engine.Bridge.Tell(new Subscribe(subscriber.Ref, Prefixes("Zy")), subscriber.Ref);
        NextTable(observer, t => Knows(t, subscriber.Ref));
        Sys.Stop(subscriber.Ref);
        NextTable(observer, t => !Knows(t, subscriber.Ref));
    }

    [Fact]
    public void An_observer_that_stops_is_no_longer_told_of_changes()
    {
        var leaving = Observer();
        var staying = Observer();
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        Watch(leaving.Ref);
        Sys.Stop(leaving.Ref);
        ExpectTerminated(leaving.Ref, TimeSpan.FromSeconds(20));

        var subscriber = CreateTestProbe();
        _engine.Bridge.Tell(new Subscribe(subscriber.Ref, Prefixes("Zx")), subscriber.Ref);
        NextTable(staying, t => Knows(t, subscriber.Ref));
        var letters = new List<object>();
        while (deadLetters.ReceiveOne(TimeSpan.FromMilliseconds(300)) is { } letter) letters.Add(letter);
        Assert.DoesNotContain(letters, l => l is DeadLetter { Message: RoutingChanged });
    }

    [Fact]
    public void Subscriptions_that_arrive_together_make_one_snapshot_not_one_each()
    {
        const int subscribers = 100;
        var observer = Observer();
        var probes = Enumerable.Range(0, subscribers).Select(_ => CreateTestProbe()).ToList();
        foreach (var probe in probes) _engine.Bridge.Tell(new Subscribe(probe.Ref, Prefixes("Zw")), probe.Ref);
        var snapshots = 1;
        while (!observer.ExpectMsg<RoutingChanged>(TimeSpan.FromSeconds(20)).Table.Subscribers.Count(e => probes.Any(p => p.Ref.Equals(e.Subscriber))).Equals(subscribers))
            snapshots++;
        while (observer.ReceiveOne(TimeSpan.FromMilliseconds(500)) is RoutingChanged) snapshots++; // and none after it
        Assert.True(snapshots <= subscribers / 2, $"{snapshots} routing snapshots for {subscribers} subscriptions sent at once");
        foreach (var probe in probes) probe.ExpectMsg<SubscriptionsActive>(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Deliveries_that_reach_a_stopped_subscriber_return_their_credit_and_are_counted_and_logged_once_per_type()
    {
        using var metrics = new MetricsRecorder(_engine);
        var credit = new CreditWindow("test", highWaterMark: 100, lowWaterMark: 50);
        var stopped = CreateTestProbe();
        Watch(stopped.Ref);
        Sys.Stop(stopped.Ref);
        ExpectTerminated(stopped.Ref, TimeSpan.FromSeconds(20));
        var type = _engine.Events.Get<TypeA>();

        EventFilter.Info(contains: "TypeA events reached a plugin that has finished or stopped").Expect(1, TimeSpan.FromSeconds(20), () =>
            EventFilter.Info(contains: "raw events reached a plugin that has finished or stopped").Expect(1, TimeSpan.FromSeconds(20), () =>
            {
                credit.Take(4);
                for (var i = 0; i < 3; i++) stopped.Ref.Tell(new Delivery(new TypeA($"late {i}"), type, credit));
                stopped.Ref.Tell(new Delivery(new RawEvent("Zv late"u8.ToArray()), null, credit));
                // The bridge returns the credit, then counts: wait for the count.
                AwaitCondition(() => metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped") == 4, TimeSpan.FromSeconds(20));
            }));
        Assert.Equal(0, credit.InFlight);

        _engine.BeginStopping(); // from now on such drops are the engine's stop, not a subscriber's
        credit.Take(1);
        stopped.Ref.Tell(new Delivery(new TypeA("at shutdown"), type, credit));
        AwaitCondition(() => metrics.Sum("event_engine.events.dropped", "reason", "engine-stopped") == 1, TimeSpan.FromSeconds(20));
        Assert.Equal(0, credit.InFlight);
        Assert.Equal(4, metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped"));
    }

    [Fact]
    public async Task The_wire_is_released_when_the_engine_stops()
    {
        var (publishPort, subscribePort) = (_engine.PublishPort, _engine.SubscribePort);
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        foreach (var port in new[] { publishPort, subscribePort }) // NetMQ closes them asynchronously
            Assert.True(await LifecycleTests.CanBindWithin(port, TimeSpan.FromSeconds(20)), $"port {port} still bound 20 s after the engine stopped");
    }
}
