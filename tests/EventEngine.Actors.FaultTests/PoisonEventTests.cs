using System.Text;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 8: a poison event can be inspected (subscribed to like any event), and it never loops.</summary>
public sealed class PoisonEventTests
{
    [Fact]
    public async Task A_failing_handler_publishes_a_PoisonEvent_to_plugins_and_external_plugins_and_a_failing_PoisonEvent_handler_is_only_counted()
    {
        var poisons = new Received<PoisonEvent>();
        await using var engine = TestEngine.Start(e => e
            .AddPlugin<AlwaysFails>("Failing")
            .AddPlugin<PoisonCollector>("Collector", poisons)
            .AddPlugin<FailsOnPoison>("FailsOnPoison")
            .AddExternalPlugin("Py", 0, ["PoisonEvent"]));
        using var peer = engine.Peer("Py");
        Assert.Empty(peer.NextBatch(1, waitMs: 0));
        await engine.Engine.Started.WaitAsync(Wait.Long);

        engine.Engine.Publish(new Ping(7));

        await Wait.Until(() => poisons.Count == 1, "a PoisonEvent at the collector");
        var poison = poisons.Items.Single();
        Assert.Equal(("Failing", "Ping", typeof(InvalidOperationException).FullName), (poison.Plugin, poison.EventType, poison.ExceptionType));
        Assert.Equal("always fails (Ping 7)", poison.Message);
        Assert.Equal("Ping7", Encoding.ASCII.GetString(poison.Frame!));
        var external = peer.Take(1).Single();
        Assert.StartsWith("PoisonEvent", external);

        // FailsOnPoison threw on that PoisonEvent: counted as poison, not published again.
        await Wait.Until(() => engine.Metrics.Sum("event_engine.events.poison", "plugin", "FailsOnPoison") == 1,
            () => $"FailsOnPoison's failure counted once (counted {engine.Metrics.Sum("event_engine.events.poison", "plugin", "FailsOnPoison")}, " +
                $"PoisonEvents published {engine.Metrics.Sum("event_engine.events.published", "event_type", "PoisonEvent")})");
        await Wait.UntilStable(() => engine.Metrics.Sum("event_engine.events.published", "event_type", "PoisonEvent"), "PoisonEvents published", TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, engine.Metrics.Sum("event_engine.events.published", "event_type", "PoisonEvent"));
        Assert.Equal(1, poisons.Count);
        peer.ExpectNothingMore();
    }

    public sealed class PoisonCollector : EventPlugin
    {
        public PoisonCollector(Received<PoisonEvent> received) => Subscribe<PoisonEvent>(received.Add);
    }

    public sealed class FailsOnPoison : EventPlugin
    {
        public FailsOnPoison() => Subscribe<PoisonEvent>(p => throw new InvalidOperationException("cannot store " + p.EventType));
    }
}
