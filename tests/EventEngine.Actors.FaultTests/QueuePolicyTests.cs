using System.Text;
using Akka.Event;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Issue 10 item 1: an external plugin that never connects, stops reading or publishes to itself never freezes the
/// engine in silence. Its queue policy applies, every drop is counted with its reason, and while it pauses a source
/// the engine says so (WARN, gauge, <see cref="EventEngine.Status"/>).
/// </summary>
public sealed class QueuePolicyTests
{
    private const int Events = 1000;

    private const string SmallWindow = """
        event-engine {
          startup.timeout = 1s
          flow-control { high-water-mark = 50, low-water-mark = 25, pause-warning-interval = 200ms }
        }
        """;

    [Fact]
    public async Task A_plugin_that_never_connects_pauses_its_publishers_with_a_repeated_warning_a_gauge_and_a_status_naming_it()
    {
        var collected = new Received<long>();
        await using var engine = TestEngine.Start(e => e
            .AddPlugin<Burst>("Burst", (long)Events)
            .AddPlugin<PingCollector>("Collector", collected)
            .AddExternalPlugin("Absent", 0, ["Ping"]), SmallWindow);

        await Wait.Until(() => engine.Log.Count("External plugin Absent (never connected) has ") >= 2 && engine.Log.Contains("queued and holds up paused source(s) Burst until it reads them"),
            () => "two pause warnings naming Absent and Burst; log:\n" + engine.Log.Dump());
        var status = engine.Engine.Status();
        Assert.Equal(EngineState.Running, status.State);
        var paused = Assert.Single(status.PausedSources);
        Assert.Equal(("Burst", "Absent"), (paused.Source, Assert.Single(paused.HeldBy)));
        Assert.InRange(paused.InFlight, 26, 50);
        var absent = Assert.Single(status.ExternalPlugins);
        Assert.Equal(("Absent", ExternalPluginConnection.NeverConnected), (absent.Name, absent.Connection));
        Assert.InRange(absent.QueueDepth, 26, 50);
        Assert.Equal(1, engine.Metrics.Gauge("event_engine.sources.paused"));
        Assert.True(collected.Count < Events, "Burst should be paused, not finished");
    }

    [Fact]
    public async Task A_plugin_that_never_connects_is_dropped_after_its_connect_timeout_and_every_event_it_missed_is_counted()
    {
        var collected = new Received<long>();
        await using var engine = TestEngine.Start(e => e
            .AddPlugin<Burst>("Burst", (long)Events)
            .AddPlugin<PingCollector>("Collector", collected)
            .AddExternalPlugin("Absent", 0, ["Ping"]), SmallWindow + """
            event-engine.gateway { connect-timeout = 1s, on-connect-timeout = drop-and-finish }
            """);

        await Wait.Until(() => collected.Count == Events, () => $"all {Events} Pings at the collector (got {collected.Count})");
        // What was queued for Absent when it was dropped is counted; later Pings no longer go to it at all.
        await Wait.Until(() => engine.Metrics.Sum("event_engine.events.dropped", "reason", "plugin-never-connected") > 0,
            () => $"drops counted for Absent; got {engine.Metrics.Describe("event_engine.events.dropped", "reason")}");
        Assert.InRange(engine.Metrics.Sum("event_engine.events.dropped", "reason", "plugin-never-connected"), 1, 50);
        await Wait.Until(() => engine.Log.Contains("External plugin Absent has not connected 00:00:01 after start-up; dropping its events", LogLevel.ErrorLevel), () => engine.Log.Dump());
        Assert.Equal(ExternalPluginConnection.Finished, Assert.Single(engine.Engine.Status().ExternalPlugins).Connection);
        Assert.Empty(engine.Engine.Status().PausedSources);
    }

    [Theory]
    [InlineData("drop-oldest", 991)]
    [InlineData("drop-newest", 1)]
    public async Task A_plugin_that_stops_reading_keeps_max_queue_events_under_a_drop_policy_and_the_others_are_counted(string policy, long first)
    {
        var collected = new Received<long>();
        await using var engine = TestEngine.Start(e => e
            .AddPlugin<Burst>("Burst", (long)Events)
            .AddPlugin<PingCollector>("Collector", collected)
            .AddExternalPlugin("Idle", 0, ["Ping"]), SmallWindow + $$"""
            event-engine.startup.timeout = 60s
            event-engine.gateway { max-queue = 10, on-queue-full = {{policy}} }
            """);
        using var peer = engine.Peer("Idle");
        Assert.Empty(peer.NextBatch(10, waitMs: 0)); // connects; then reads nothing while Burst runs

        await Wait.Until(() => collected.Count == Events, () => $"all {Events} Pings at the collector (got {collected.Count})");
        await Wait.Until(() => engine.Metrics.Sum("event_engine.events.dropped", "reason", "queue-full") == Events - 10,
            () => $"{Events - 10} queue-full drops; got {engine.Metrics.Describe("event_engine.events.dropped", "reason")}");
        var kept = peer.Take(10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "Ping" + (first + i)), kept);
        peer.ExpectNothingMore();
        await Wait.Until(() => engine.Log.Contains($"(on-queue-full = {policy})", LogLevel.WarningLevel), () => engine.Log.Dump());
    }

    [Fact]
    public async Task A_plugin_that_publishes_to_itself_and_stops_reading_is_paused_at_max_queue_instead_of_growing_without_limit()
    {
        await using var engine = TestEngine.Start(e => e.AddExternalPlugin("Echo", 0, ["Ping"]), SmallWindow + """
            event-engine.gateway.max-queue = 100
            """);
        using var peer = engine.Peer("Echo");
        Assert.Empty(peer.NextBatch(10, waitMs: 0)); // the default reply timeout: 3 s was too short for a first reply in a busy CI run
        await engine.Engine.Started.WaitAsync(Wait.Long);

        var published = 0;
        var paused = false;
        for (var batch = 0; batch < 1000 && !paused; batch++)
        {
            peer.Send(PluginPeer.PublishBatchRequest(Enumerable.Range(0, 10).Select(i => Encoding.ASCII.GetBytes("Ping" + (batch * 10 + i)))));
            var reply = peer.Receive(TimeSpan.FromSeconds(3));
            // A pause holds the reply only once the queue is at max-queue; below it a late reply is a slow engine (seen in CI).
            if (reply is null && engine.Queued("Echo") < 100) reply = peer.Receive(Wait.Long);
            paused = reply is null;
            if (!paused) published += 10;
        }

        Assert.True(paused, $"the plugin published {published} events to itself without reading one, and was never paused");
        Assert.InRange(engine.Queued("Echo"), 100, 100 + 50 + 10);
        var source = Assert.Single(engine.Engine.Status().PausedSources);
        Assert.Equal(("Echo", "Echo"), (source.Source, Assert.Single(source.HeldBy)));
    }
}
