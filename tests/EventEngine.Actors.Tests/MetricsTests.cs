using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

public class MetricsTests : Akka.TestKit.Xunit2.TestKit
{
    public MetricsTests() : base(TestConfig.Engine()) { }

    [Fact]
    public async Task Published_and_delivered_events_are_counted_per_event_type()
    {
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<Recorder>("first", first.Ref, new[] { typeof(TypeA) }, null!)
            .AddPlugin<Recorder>("second", second.Ref, new[] { typeof(TypeA) }, null!));
        using var metrics = new MetricsRecorder(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 10; i++) engine.Publish(new TypeA($"event {i}"));
        first.ReceiveN(10);
        second.ReceiveN(10);
        Assert.Equal(10, metrics.Sum("event_engine.events.published", "event_type", "TypeA"));
        Assert.Equal(20, metrics.Sum("event_engine.events.delivered", "event_type", "TypeA"));
        Assert.Equal(Diagnostics.EngineMetrics.MeterName, engine.Metrics.Meter.Name);
    }

    [Fact]
    public async Task Events_that_reach_a_stopped_plugin_are_dropped_counted_and_return_their_credit()
    {
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<Recorder>("gone", TestActor, new[] { typeof(TypeA) }, null!));
        using var metrics = new MetricsRecorder(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var plugin = await Sys.ActorSelection("/system/event-engine/event-engine-plugins/gone").ResolveOne(TimeSpan.FromSeconds(5));
        Watch(plugin);
        Sys.Stop(plugin);
        ExpectTerminated(plugin);
        var credit = engine.NewCreditWindow("test");
        credit.Take(3);
        for (var i = 0; i < 3; i++) plugin.Tell(new Delivery(new TypeA("late"), TypeA.Definition, credit));
        AwaitAssert(() =>
        {
            Assert.Equal(3, metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped"));
            Assert.Equal(0, credit.InFlight);
        }, TimeSpan.FromSeconds(10));
    }
}
