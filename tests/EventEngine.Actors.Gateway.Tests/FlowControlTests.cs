using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>A session's queue takes part in credit flow control: slow plugins slow their publishers, nothing is lost.</summary>
public sealed class FlowControlTests
{
    private const string SmallWindow = "event-engine.flow-control { high-water-mark = 100, low-water-mark = 50 }";

    [Fact]
    public async Task A_slow_external_plugin_pauses_its_publisher_and_loses_nothing()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]), SmallWindow);
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(TimeSpan.FromSeconds(20));
        var published = 0;
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                var room = t.Engine.PublishAsync(new TypeA(i.ToString()));
                Interlocked.Increment(ref published);
                await room;
            }
        });

        // Nobody reads: the producer stops at the high-water mark, every event waits in the session's queue.
        await Wait.Until(() => t.Queued("Py") == 100, () => $"100 queued events (queued {t.Queued("Py")}, published {published})");
        Assert.Equal(100, Volatile.Read(ref published));
        Assert.False(producer.IsCompleted);

        using var peer = t.Peer("Py");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"TypeA{i}"), peer.Take(1000, batch: 64));
        Assert.Equal([], peer.NextBatch(64, waitMs: 0)); // acknowledges the last batch
        await producer.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_publish_reply_waits_until_slow_subscribers_have_caught_up()
    {
        var received = new Received();
        await using var t = TestEngine.Start(e => e
            .AddExternalPlugin("Py", 0, [])
            .AddPlugin<SlowCollector>("Slow", received, "Slow", 2),
            "event-engine.flow-control { high-water-mark = 10, low-water-mark = 5 }");
        using var peer = t.Peer("Py");

        Assert.Equal("event-engine: batch published 100", peer.PublishBatch(Enumerable.Range(0, 100).Select(i => $"Slow{i}")));
        Assert.True(received.Count >= 95, $"the reply came when {received.Count} of 100 events were handled (low-water mark 5)");
        for (var i = 100; i < 120; i++) Assert.Equal("event-engine: msg published", peer.RequestText($"Slow{i}"));
        await Wait.Until(() => received.Count == 120, "all 120 events");
        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"Slow{i}"), received.Items);
    }

    [Fact]
    public async Task A_plugin_subscribed_to_its_own_events_is_not_paused_by_them()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["Echo"]),
            "event-engine.flow-control { high-water-mark = 10, low-water-mark = 5 }");
        using var peer = t.Peer("Py");

        // 1000 events to itself with a window of 10: its own queued events do not hold its window.
        Assert.Equal("event-engine: batch published 1000", peer.PublishBatch(Enumerable.Range(0, 1000).Select(i => $"Echo{i}")));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"Echo{i}"), peer.Take(1000));
    }
}
