using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using EventEngine.Actors.Events;
using EventEngine.Samples.Example;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>What the test kit promises: isolation, injection, supervision, the start-up barrier, raw frames.</summary>
public class TestKitBehaviourTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void What_the_test_publishes_is_not_recorded_but_a_republished_instance_is()
    {
        var echo = StartPlugin<Echo>(new PluginTestOptions { CodecRoundTrip = false });

        var ping = new Ping(1);
        echo.Deliver(ping);

        Assert.Same(ping, echo.ExpectPublished<Ping>());
        echo.ExpectNoPublished(TimeSpan.FromMilliseconds(200));
        Assert.Single(echo.Published);
    }

    [Fact]
    public void Events_reach_the_plugin_through_their_codec_by_default()
    {
        var echo = StartPlugin<Echo>();

        var ping = new Ping(2);
        echo.Deliver(ping);

        var echoed = echo.ExpectPublished(new Ping(2));
        Assert.NotSame(ping, echoed);
    }

    [Fact]
    public void No_socket_is_opened_for_a_plugin_test()
    {
        var counter = StartPlugin<Counter>();

        Assert.Equal(0, counter.Engine.PublishPort);
        Assert.False(counter.Engine.EventEngine.Settings.Wire.Enabled);
    }

    [Fact]
    public void A_failing_handler_restarts_the_plugin_which_keeps_its_subscriptions()
    {
        var plugin = StartPlugin<PingPong>();
        plugin.ExpectPublished(new Pong(0));

        EventFilter.Error(contains: "failed handling a Ping event").ExpectOne(() => plugin.Deliver(new Ping(-1)));

        plugin.ExpectRestarts(1);
        Assert.Equal(1, plugin.PoisonEvents);
        Assert.Equal(["Ping"], plugin.Subscriptions);
        plugin.Deliver(new Ping(5));
        plugin.ExpectPublished(new Pong(5));
    }

    [Fact]
    public void The_real_supervision_settings_apply()
    {
        var plugin = StartPlugin<PingPong>(new PluginTestOptions { Hocon = "event-engine.supervision.max-restarts = 1" });
        plugin.ExpectPublished(new Pong(0));

        plugin.Deliver(new Ping(-1), new Ping(-2));

        plugin.ExpectStoppedBySupervisor();
        Assert.Equal(1, plugin.Restarts);
        Assert.Equal(2, plugin.PoisonEvents);
        Assert.Throws<EventExpectationException>(() => plugin.ExpectFinished());
    }

    [Fact]
    public void Events_delivered_before_the_barrier_passes_are_handled_after_the_start_hook()
    {
        var started = CreateTestProbe();
        Sys.EventStream.Subscribe(started, typeof(StartWatcherStarted));
        var plugin = StartPlugin<StartWatcher>(new PluginTestOptions { HoldStart = true }, TestActor);

        plugin.Deliver(new Ping(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        started.ExpectNoMsg(TimeSpan.Zero);

        plugin.StartPlugins();
        started.ExpectMsg<StartWatcherStarted>();
        ExpectMsg("ping 1");
    }

    [Fact]
    public void Akka_TestKit_stays_available()
    {
        var plugin = StartPlugin<PingPong>(TestActor);
        plugin.ExpectPublished(new Pong(0));

        plugin.Deliver(new Ping(3));
        ExpectMsg("handled 3");

        Watch(plugin.Ref);
        plugin.Ref.Tell("finish");
        ExpectTerminated(plugin.Ref);
        plugin.ExpectFinished();
    }

    [Fact]
    public void A_plugin_from_props_takes_the_given_name()
    {
        var plugin = StartPlugin(Props.Create(() => new PingPong(null)), new PluginTestOptions { Name = "ponger" });

        Assert.Equal("ponger", plugin.Name);
        Assert.Equal("ponger", plugin.Ref.Path.Name);
        plugin.ExpectPublished(new Pong(0));
    }

    [Fact]
    public void Raw_frames_go_in_and_come_out()
    {
        var plugin = StartPlugin<RawTalker>();
        Assert.Equal(["Legacy"], plugin.Subscriptions);

        plugin.DeliverFrame("Legacy hello"u8.ToArray());

        var reply = plugin.ExpectPublishedEvent();
        Assert.Equal("Reply12", reply.FrameText);
        Assert.Equal("raw", reply.TypeName);
        Assert.IsType<RawEvent>(reply.Event);
    }
}

/// <summary>The helper works from any Akka TestKit, through extension methods.</summary>
public class PlainAkkaTestKitTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Starts_a_plugin_from_a_plain_TestKit()
    {
        var counter = this.StartPlugin<Counter>();

        counter.Deliver(new TypeA("xyz"));

        counter.ExpectPublished(new TypeB(3));
    }

    [Fact]
    public void Starts_an_engine_from_a_plain_TestKit()
    {
        var engine = this.StartEngine(e => e.AddPlugin<Counter>(), new EngineTestOptions { Wire = false });

        engine.Publish(new TypeA("four"));

        engine.ExpectPublished(new TypeB(4));
        Assert.Equal(["Counter"], engine.PluginNames);
    }
}
