using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Issue 10 item 6: an outside subscriber on the subscribe port cannot grow the engine's table of outside prefixes
/// past <c>event-engine.wire.max-subscriptions</c>; the excess is refused, counted and logged once per thousand.
/// </summary>
public sealed class SubscriptionFloodTests
{
    private const int Cap = 100;
    private const int Flood = 150;

    [Fact]
    public async Task A_subscriber_sending_more_subscriptions_than_the_cap_is_refused_the_excess_and_keeps_its_earlier_ones()
    {
        await using var t = TestEngine.Start(_ => { }, $"event-engine.wire.max-subscriptions = {Cap}");
        await t.Engine.Started.WaitAsync(Wait.Long);
        using var sub = new SubscriberSocket();
        sub.Options.Linger = TimeSpan.Zero;
        sub.Connect($"tcp://127.0.0.1:{t.Engine.SubscribePort}");
        sub.Subscribe("Ping"); // the earlier subscription
        for (var i = 0; i < Flood - 2; i++) sub.Subscribe($"Flood{i}");
        sub.Subscribe("Late"); // past the cap

        const long refused = Flood - Cap;
        await Wait.Until(() => t.Metrics.Sum("event_engine.wire.subscriptions_refused") == refused,
            () => $"{refused} refused subscriptions; counted {t.Metrics.Sum("event_engine.wire.subscriptions_refused")}; log:\n{t.Log.Dump()}");
        await Wait.Until(() => t.Engine.Router.Table.OutsidePrefixes.Count() == Cap, "the table of outside prefixes full");
        var held = t.Engine.Router.Table.OutsidePrefixes.Select(p => Encoding.ASCII.GetString(p)).ToHashSet();
        Assert.Contains("Ping", held);
        Assert.DoesNotContain("Late", held);
        // The warning goes through Akka's logging, which is asynchronous: it may arrive after the counter has moved.
        await Wait.Until(() => t.Log.Count("event-engine.wire.max-subscriptions = 100") > 0, () => "the refusal's warning; log:\n" + t.Log.Dump());
        Assert.Equal(1, t.Log.Count("event-engine.wire.max-subscriptions = 100"));

        // The engine keeps working: an event published now still reaches the earlier subscription.
        t.Engine.Publish(new Ping(7));
        Assert.True(sub.TryReceiveFrameString(Wait.Long, out var frame), "Ping7 at the outside subscriber; log:\n" + t.Log.Dump());
        Assert.Equal("Ping7", frame);
        Assert.Equal(refused, t.Metrics.Sum("event_engine.wire.subscriptions_refused"));
    }
}
