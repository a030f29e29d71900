using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Events;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// The bridge actor in a real engine: its subscription table as routing observers see it, the watches that take
/// stopped subscribers and observers out, the once-per-type report of events that reached a stopped plugin, and
/// what it releases when it stops.
/// </summary>
public class ZmqBridgeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public ZmqBridgeTests() : base(TestConfig.Engine()) { }

    private EventEngine StartEngine(Action<EventEngineBuilder> configure)
    {
        var engine = EventEngine.Start(Sys, configure);
        Assert.True(engine.Started.Wait(TimeSpan.FromSeconds(20)), "the engine did not start");
        return engine;
    }

    private static IActorRef[] Subscribers(RoutingChanged change, EventType type) => change.Table.RouteFor(type).Always;

    [Fact]
    public void Observers_see_every_change_of_the_table_and_stopped_or_unsubscribed_subscribers_leave_it()
    {
        var engine = StartEngine(e => e.AddPlugin<Recorder>("typed", TestActor, new[] { typeof(TypeA) }, null!));
        var observer = CreateTestProbe();
        engine.Bridge.Tell(new ObserveRouting(observer.Ref));
        Assert.Single(Subscribers(observer.ExpectMsg<RoutingChanged>(Deadline), TypeA.Definition));

        var first = CreateTestProbe();
        engine.Bridge.Tell(new Subscribe(first.Ref, ["TypeB"u8.ToArray()]), first.Ref);
        Assert.Equal([first.Ref], Subscribers(observer.ExpectMsg<RoutingChanged>(Deadline), TypeB.Definition));
        first.ExpectMsg<SubscriptionsActive>(Deadline);

        var second = CreateTestProbe();
        engine.Bridge.Tell(new Subscribe(second.Ref, ["TypeB"u8.ToArray()]), second.Ref);
        Assert.Equal(2, Subscribers(observer.ExpectMsg<RoutingChanged>(Deadline), TypeB.Definition).Length);
        second.ExpectMsg<SubscriptionsActive>(Deadline);
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // confirmed once, not again with every later change

        Sys.Stop(first.Ref); // never unsubscribed: the bridge's watch takes it out
        Assert.Equal([second.Ref], Subscribers(observer.ExpectMsg<RoutingChanged>(Deadline), TypeB.Definition));

        engine.Bridge.Tell(new Unsubscribe(second.Ref));
        Assert.Empty(Subscribers(observer.ExpectMsg<RoutingChanged>(Deadline), TypeB.Definition));
        Sys.Stop(second.Ref); // no longer a subscriber: its end changes nothing
        observer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Single(Subscribers(new RoutingChanged(engine.Router.Table), TypeA.Definition));
    }

    [Fact]
    public void A_stopped_observer_is_forgotten_and_never_sent_another_table()
    {
        var engine = StartEngine(_ => { });
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(DeadLetter));
        var observer = CreateTestProbe();
        engine.Bridge.Tell(new ObserveRouting(observer.Ref));
        observer.ExpectMsg<RoutingChanged>(Deadline);
        Watch(observer.Ref);
        Sys.Stop(observer.Ref);
        ExpectTerminated(observer.Ref, Deadline);

        var witness = CreateTestProbe(); // a second observer tells when the bridge has published the next table
        engine.Bridge.Tell(new ObserveRouting(witness.Ref));
        witness.ExpectMsg<RoutingChanged>(Deadline);
        engine.Bridge.Tell(new Subscribe(TestActor, ["TypeC"u8.ToArray()]), TestActor);
        Assert.Equal([TestActor], Subscribers(witness.ExpectMsg<RoutingChanged>(Deadline), TypeC.Definition));
        ExpectMsg<SubscriptionsActive>(Deadline);
        var letters = deadLetters.ReceiveWhile(TimeSpan.FromMilliseconds(300), o => o as DeadLetter);
        Assert.DoesNotContain(letters, d => d.Message is RoutingChanged);
    }

    [Fact]
    public void Events_that_reach_a_stopped_plugin_are_reported_once_per_event_type_including_raw()
    {
        var engine = StartEngine(e => e.AddPlugin<Recorder>("gone", TestActor, new[] { typeof(TypeA) }, null!));
        var infos = CreateTestProbe();
        Sys.EventStream.Subscribe(infos.Ref, typeof(Info));
        var plugin = Sys.ActorSelection("/system/event-engine/event-engine-plugins/gone").ResolveOne(Deadline).Result;
        Watch(plugin);
        Sys.Stop(plugin);
        ExpectTerminated(plugin, Deadline);
        using var metrics = new MetricsRecorder(engine);
        var credit = engine.NewCreditWindow("test");
        credit.Take(4);
        plugin.Tell(new Delivery(new TypeA("late"), TypeA.Definition, credit));
        plugin.Tell(new Delivery(new RawEvent("Sensor1"u8.ToArray()), null, credit));
        plugin.Tell(new Delivery(new TypeA("later"), TypeA.Definition, credit));
        plugin.Tell(new Delivery(new RawEvent("Sensor2"u8.ToArray()), null, credit));
        AwaitCondition(() => credit.InFlight == 0, Deadline);

        var reports = new List<string>();
        infos.FishForMessage<Info>(i =>
        {
            if (i.Message.ToString()!.Contains("reached a plugin that has finished or stopped")) reports.Add(i.Message.ToString()!);
            return reports.Count == 2;
        }, Deadline);
        Assert.Contains(reports, r => r.StartsWith("TypeA events reached"));
        Assert.Contains(reports, r => r.StartsWith("raw events reached"));
        var later = infos.ReceiveWhile(TimeSpan.FromMilliseconds(300), o => o as Info);
        Assert.DoesNotContain(later, i => i.Message.ToString()!.Contains("reached a plugin"));
        Assert.Equal(4, metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped"));
    }

    [Fact]
    public void A_stopped_bridge_closes_the_wire_ports_and_takes_the_wire_off_the_router()
    {
        var engine = StartEngine(_ => { });
        Assert.NotNull(engine.Router.Wire);
        var ports = new[] { engine.PublishPort, engine.SubscribePort };
        Watch(engine.Bridge);
        Sys.Stop(engine.Bridge);
        ExpectTerminated(engine.Bridge, Deadline);
        Assert.Null(engine.Router.Wire);
        foreach (var port in ports) AwaitCondition(() => Refused(port), Deadline, $"port {port} to refuse connections");
    }

    private static bool Refused(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
