using System.Text;
using Akka.Actor;
using EventEngine.Actors.Events;
using EventEngine.Samples.Example;
using NetMQ;
using NetMQ.Sockets;
using Xunit;

namespace EventEngine.Actors.Tests;

public class RoutingTests : Akka.TestKit.Xunit2.TestKit
{
    public RoutingTests() : base(TestConfig.Engine()) { }

    private EventEngine StartEngine(Action<EventEngineBuilder> configure)
    {
        var engine = EventEngine.Start(Sys, configure);
        engine.Started.Wait(TimeSpan.FromSeconds(20));
        Assert.True(engine.Started.IsCompletedSuccessfully, "the engine did not start");
        return engine;
    }

    [Fact]
    public void Several_subscribers_each_get_every_event_in_publish_order()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var events = Enumerable.Range(0, 100).Select(i => (object)new Ping(i)).ToArray();
        StartEngine(e => e
            .AddPlugin<Recorder>("first", first.Ref, new[] { typeof(Ping) }, null!)
            .AddPlugin<Recorder>("second", second.Ref, new[] { typeof(Ping) }, null!)
            .AddPlugin<Publisher>("publisher", events, false));
        foreach (var probe in new[] { first, second })
            for (var i = 0; i < 100; i++) probe.ExpectMsg<Ping>(p => p.N == i);
    }

    [Fact]
    public void A_prefix_subscription_also_gets_events_whose_filter_extends_it()
    {
        var alphaOnly = CreateTestProbe();
        var both = CreateTestProbe();
        StartEngine(e => e
            .AddPlugin<Recorder>("alpha", alphaOnly.Ref, new[] { typeof(Alpha) }, null!)
            .AddPlugin<Recorder>("both", both.Ref, new[] { typeof(Alpha), typeof(AlphaBeta) }, null!)
            .AddPlugin<Recorder>("beta", TestActor, new[] { typeof(AlphaBeta) }, null!)
            .AddPlugin<Publisher>("publisher", new object[] { new Alpha("1"), new AlphaBeta("2") }, false));
        // zmq prefix semantics: "Alpha" matches "AlphaBeta2" too; the frame decodes as the longest filter, AlphaBeta.
        both.ExpectMsg(new Alpha("1"));
        both.ExpectMsg(new AlphaBeta("2"));
        ExpectMsg(new AlphaBeta("2"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        // The Alpha-only plugin has no handler for AlphaBeta: it gets only Alpha (AlphaBeta is logged as unhandled).
        alphaOnly.ExpectMsg(new Alpha("1"));
        alphaOnly.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_event_a_plugins_prefix_matches_but_no_handler_takes_is_logged_once_per_type_and_the_plugin_goes_on()
    {
        var alphaOnly = CreateTestProbe();
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
        StartEngine(e => e
            .AddPlugin<Recorder>("alpha", alphaOnly.Ref, new[] { typeof(Alpha) }, null!)
            .AddPlugin<Publisher>("publisher", new object[] { new AlphaBeta("1"), new AlphaBeta("2"), new AlphaBeta("3"), new Alpha("4") }, false));
        // The publisher's events reach the plugin in order: once it has Alpha 4, it has taken the three AlphaBetas.
        alphaOnly.ExpectMsg(new Alpha("4"));
        var unhandled = new List<string>();
        while (warnings.HasMessages)
            if (warnings.ReceiveOne(TimeSpan.Zero) is Akka.Event.Warning w && w.Message.ToString()!.Contains("has no handler"))
                unhandled.Add(w.Message.ToString()!);
        Assert.Equal(new[] { "Plugin alpha received a AlphaBeta through its subscriptions but has no handler for it; such events are ignored" }, unhandled);
    }

    [Fact]
    public void A_plugin_subscribed_to_its_own_event_type_receives_its_own_events()
    {
        StartEngine(e => e.AddPlugin<SelfListener>("self", TestActor));
        ExpectMsg(new Ping(1, "self"));
    }

    [Fact]
    public void Events_from_a_tcp_publisher_reach_plugins_and_plugin_events_reach_tcp_subscribers()
    {
        var probe = CreateTestProbe();
        var engine = StartEngine(e => e
            .AddPlugin<Recorder>("recorder", probe.Ref, new[] { typeof(TypeA) }, new[] { "Raw" }));

        using var publisher = new PublisherSocket();
        publisher.Options.Linger = TimeSpan.Zero;
        publisher.Connect($"tcp://127.0.0.1:{engine.PublishPort}");
        // A zmq PUB drops frames until its connection is up: publish until the first one is seen (bounded).
        AwaitAssert(() =>
        {
            publisher.SendFrame("TypeAfrom outside");
            probe.ExpectMsg(new TypeA("from outside"), TimeSpan.FromMilliseconds(200));
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        publisher.SendFrame("Rawbytes");
        probe.FishForMessage(m => m is RawEvent raw && Encoding.ASCII.GetString(raw.Frame) == "Rawbytes", TimeSpan.FromSeconds(5));

        using var subscriber = new SubscriberSocket();
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{engine.SubscribePort}");
        subscriber.Subscribe("Ping");
        AwaitCondition(() => engine.Router.Table.OutsidePrefixes.Any(p => Encoding.ASCII.GetString(p) == "Ping"), TimeSpan.FromSeconds(15));
        engine.Publish(new Ping(5));
        engine.Publish(new TypeA("not subscribed outside"));
        Assert.True(subscriber.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var frame), "the TCP subscriber got nothing");
        Assert.Equal(new Ping(5), EventType.Create<Ping>().Decode(frame!));
        Assert.False(subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(200), out var extra), $"the TCP subscriber to Ping got {extra?.Length} more bytes");
        // Only prefixes someone outside listens to go on the wire.
        Assert.DoesNotContain(engine.Router.Table.OutsidePrefixes, p => Encoding.ASCII.GetString(p) == "TypeA");
    }

    [Fact]
    public void An_undecodable_frame_is_counted_and_logged_and_later_events_still_arrive()
    {
        var probe = CreateTestProbe();
        var engine = StartEngine(e => e.AddPlugin<Recorder>("recorder", probe.Ref, new[] { typeof(TypeB) }, null!));
        using var metrics = new MetricsRecorder(engine);
        EventFilter.Warning(contains: "'TypeB'").ExpectOne(() =>
            engine.Router.PublishFrame(Encoding.ASCII.GetBytes("TypeBseventeen"), engine.NewCreditWindow("test"), toWire: false));
        engine.Router.PublishFrame(Encoding.ASCII.GetBytes("TypeB17"), engine.NewCreditWindow("test"), toWire: false);
        probe.ExpectMsg(new TypeB(17));
        Assert.Equal(1, metrics.Sum("event_engine.events.undecodable", "event_type", "TypeB"));
    }

    private sealed class SelfListener : Plugins.EventPlugin
    {
        public SelfListener(IActorRef probe) => Subscribe<Ping>(p => probe.Tell(p));

        protected override void OnStart() => Publish(new Ping(1, "self"));
    }
}
