namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 10: a publication held before start-up and given up when a new peer takes over the port is counted.</summary>
public sealed class HeldPublicationTests
{
    [Fact]
    public async Task A_publication_held_before_start_up_and_abandoned_by_a_peer_that_is_replaced_is_counted()
    {
        await using var engine = TestEngine.Start(e => e
            .AddExternalPlugin("Py", 0, ["Ping"])
            .AddExternalPlugin("Late", 0, ["Ping"])); // never connects: the barrier stays closed
        using (var first = new PluginPeer(engine.PortOf("Py"), replyTimeout: TimeSpan.FromMilliseconds(300)))
        {
            first.SendText("Ping1"); // held until start-up
            await Wait.Until(() => engine.Log.Contains("External plugin Py connected"), "the engine got the first peer's publication");
            Assert.Null(first.Receive(TimeSpan.FromMilliseconds(100)));
        }
        using var second = engine.Peer("Py");
        Assert.Empty(second.NextBatch(1, waitMs: 0));

        await Wait.Until(() => engine.Metrics.Sum("event_engine.events.dropped", "reason", "peer-replaced") == 1,
            () => $"the held publication counted; dropped: {engine.Metrics.Describe("event_engine.events.dropped", "reason")}");
        await Wait.Until(() => engine.Log.Contains("while a publication of 1 event(s) was held until start-up"), () => engine.Log.Dump());
    }
}
