using System.Diagnostics;
using System.Text;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>The original REQ/REP protocol and our additions, against a real session on an ephemeral port, on each plugin transport.</summary>
public abstract class SessionProtocolTests
{
    /// <summary>event-engine.gateway.plugin-transport of every engine in these tests.</summary>
    protected abstract string Transport { get; }

    private TestEngine Start(Action<EventEngineBuilder> configure, string hocon = "") =>
        TestEngine.Start(configure, $"{hocon}\nevent-engine.gateway.plugin-transport = {Transport}");

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Events_published_before_the_plugin_connects_are_queued_for_it()
    {
        await using var t = Start(e => e.AddExternalPlugin("Py", 0, ["TypeA", "TypeB"]));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Long);
        t.Engine.Publish(new TypeA("one"));
        t.Engine.Publish(new TypeC("not subscribed"));
        t.Engine.Publish(new TypeB(5));

        using var peer = t.Peer("Py");
        Assert.Equal("TypeAone", peer.NextMsg());
        Assert.Equal("TypeB5", peer.NextMsg());
        Assert.Equal("event-engine: timeout", peer.RequestText("plugin_command: next_msg 50"));
    }

    [Fact]
    public async Task The_first_request_makes_the_plugin_ready_and_next_msg_waits_for_an_event()
    {
        var received = new Received();
        await using var t = Start(e => e
            .AddExternalPlugin("Py", 0, ["TypeA"])
            .AddPlugin<Collector>("Collector", received, "Raw"));
        var startedAt = t.Engine.Started.ContinueWith(_ => Stopwatch.GetTimestamp(), TaskContinuationOptions.ExecuteSynchronously);
        // The internal plugins are ready within milliseconds; the barrier still waits for the external plugin.
        await Assert.ThrowsAsync<TimeoutException>(() => t.Engine.Started.WaitAsync(TimeSpan.FromSeconds(1)));

        using var peer = t.Peer("Py");
        var requestedAt = Stopwatch.GetTimestamp();
        peer.SendText("plugin_command: next_msg"); // held until an event exists
        Assert.True(await startedAt.WaitAsync(Long) > requestedAt, "the engine started before the external plugin's first request");
        t.Engine.Publish(new TypeA("late"));
        Assert.Equal("TypeAlate", PluginPeer.Text(peer.Receive(Long)!.Single()));
    }

    [Fact]
    public async Task A_published_frame_reaches_internal_plugins_exactly_as_sent()
    {
        var received = new Received();
        await using var t = Start(e => e
            .AddExternalPlugin("Py", 0, [])
            .AddPlugin<Collector>("Collector", received, "Raw"));
        using var peer = t.Peer("Py");

        Assert.Equal("event-engine: msg published", peer.RequestText("TypeAhello from python"));
        Assert.Equal("event-engine: msg published", peer.RequestText("Raw bytes"));
        await Wait.Until(() => received.Count == 2, () => "both events, got: " + string.Join("|", received.Items) + "\n" + t.Log.Dump());
        Assert.Equal(["TypeAhello from python", "Raw bytes"], received.Items);
    }

    [Fact]
    public async Task Bad_requests_get_a_reason_publish_nothing_and_the_session_carries_on()
    {
        var received = new Received();
        await using var t = Start(e => e
            .AddExternalPlugin("Py", 0, ["TypeA"])
            .AddPlugin<Collector>("Collector", received, ""));
        using var peer = t.Peer("Py");

        Assert.Equal("event-engine: bad msg: unknown command 'frobnicate'", peer.RequestText("plugin_command: frobnicate now"));
        Assert.Equal("event-engine: bad msg: unknown command ''", peer.RequestText("plugin_command: "));
        Assert.Equal("event-engine: bad msg: expected one frame",
            PluginPeer.Text(peer.Request("TypeAone"u8.ToArray(), "TypeAtwo"u8.ToArray()).Single()));
        Assert.StartsWith("event-engine: bad msg: next_batch takes <max>", peer.RequestText("plugin_command: next_batch 0"));
        Assert.StartsWith("event-engine: bad msg: next_batch takes <max>", peer.RequestText("plugin_command: next_batch 65537"));
        Assert.StartsWith("event-engine: bad msg: next_batch takes <max>", peer.RequestText("plugin_command: next_batch 5  10"));
        Assert.StartsWith("event-engine: bad msg: next_batch takes <max>", peer.RequestText("plugin_command: next_batch 5 3600001"));
        Assert.StartsWith("event-engine: bad msg: next_msg takes", peer.RequestText("plugin_command: next_msg -1"));
        Assert.Equal("event-engine: bad msg: quit takes no arguments", peer.RequestText("plugin_command: quit now"));

        var good = PluginPeer.PublishBatchRequest([Encoding.UTF8.GetBytes("Rawfirst")]);
        Assert.Equal("event-engine: bad msg: truncated length at byte 42",
            PluginPeer.Text(peer.Request([.. good, 0, 0]).Single()));
        Assert.Equal("event-engine: bad msg: event 1 length 9 runs past the end",
            PluginPeer.Text(peer.Request([.. good, 0, 0, 0, 9, (byte)'R']).Single()));
        Assert.Equal("event-engine: bad msg: empty batch", peer.RequestText("plugin_command: publish_batch\n"));
        Assert.StartsWith("event-engine: bad msg: publish_batch must be followed by a newline", peer.RequestText("plugin_command: publish_batch"));
        Assert.StartsWith("event-engine: bad msg: event 1 starts with the reserved prefix",
            PluginPeer.Text(peer.Request(PluginPeer.PublishBatchRequest([.. new[] { "Rawok", "plugin_command: quit" }.Select(Encoding.UTF8.GetBytes)])).Single()));

        // Nothing above was published: the marker is the first thing the collector sees.
        Assert.Equal("event-engine: msg published", peer.RequestText("Rawmarker"));
        await Wait.Until(() => received.Count > 0, "the marker");
        Assert.Equal(["Rawmarker"], received.Items);
        t.Engine.Publish(new TypeA("still served"));
        Assert.Equal("TypeAstill served", peer.NextMsg());
    }

    [Fact]
    public async Task Quit_gets_no_reply_finishes_the_plugin_and_ends_its_session()
    {
        await using var t = Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        using (var peer = t.Peer("Py"))
        {
            Assert.Equal("event-engine: timeout", peer.RequestText("plugin_command: next_msg 0"));
            peer.SendText("plugin_command: quit");
            await t.Engine.Completion.WaitAsync(Long);
            Assert.Null(peer.Receive(TimeSpan.FromMilliseconds(200)));
        }
        using var late = t.Peer("Py");
        Assert.Equal("event-engine: bad msg: plugin Py has quit; its session is over", late.NextMsg());
    }

    [Fact]
    public async Task An_event_counts_as_delivered_when_the_same_peer_sends_its_next_request()
    {
        await using var t = Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Long);
        for (var i = 0; i < 5; i++) t.Engine.Publish(new TypeA(i.ToString()));
        await Wait.Until(() => t.Queued("Py") == 5, "5 queued events");

        using (var first = t.Peer("Py"))
        {
            Assert.Equal(["TypeA0", "TypeA1"], first.NextBatch(2));
            Assert.Equal(["TypeA2", "TypeA3", "TypeA4"], first.NextBatch(3)); // acknowledges 0 and 1
        } // dies without acknowledging 2..4

        using (var second = t.Peer("Py"))
        {
            Assert.Equal(["TypeA2", "TypeA3", "TypeA4"], second.NextBatch(10));
            t.Engine.Publish(new TypeA("5"));
            Assert.Equal("TypeA5", second.NextMsg()); // acknowledges 2..4
            Assert.Equal("event-engine: timeout", second.RequestText("plugin_command: next_msg 0")); // acknowledges 5
        }

        using var third = t.Peer("Py");
        Assert.Equal([], third.NextBatch(10, waitMs: 0));
        await Wait.Until(() => t.Log.Contains("Gateway", "unacknowledged event(s) are handed out again"), () => t.Log.Dump());
    }

    [Fact]
    public async Task Two_plugins_get_their_own_subscriptions_and_each_others_events()
    {
        await using var t = Start(e => e
            .AddExternalPlugin("A", 0, ["TypeA"])
            .AddExternalPlugin("B", 0, ["TypeB", "Raw"]));
        Assert.NotEqual(t.PortOf("A"), t.PortOf("B"));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Long);
        t.Engine.Publish(new TypeB(1));
        t.Engine.Publish(new TypeA("a"));

        using var a = t.Peer("A");
        using var b = t.Peer("B");
        Assert.Equal("TypeAa", a.NextMsg());
        Assert.Equal("TypeB1", b.NextMsg());
        Assert.Equal("event-engine: msg published", a.RequestText("Rawfrom A"));
        Assert.Equal("event-engine: msg published", a.RequestText("TypeB2"));
        Assert.Equal("Rawfrom A", b.NextMsg());
        Assert.Equal("TypeB2", b.NextMsg());
        Assert.Equal([], a.NextBatch(10, waitMs: 0));
    }

    [Fact]
    public async Task Fast_mode_batches_in_and_out()
    {
        var received = new Received();
        await using var t = Start(e => e
            .AddExternalPlugin("Py", 0, ["Bench", "TypeA"])
            .AddPlugin<Collector>("Collector", received, "Out"));
        using var peer = t.Peer("Py");

        // publish_batch: one request, many events, in order.
        var outgoing = Enumerable.Range(0, 1000).Select(i => $"Out{i}").ToList();
        Assert.Equal("event-engine: batch published 1000", peer.PublishBatch(outgoing));
        await Wait.Until(() => received.Count == 1000, "1000 events");
        Assert.Equal(outgoing, received.Items);

        // next_batch: at most max per reply, in order, nothing lost or repeated.
        var incoming = Enumerable.Range(0, 2500).Select(i => $"Bench{i}").ToList();
        Assert.Equal("event-engine: batch published 2500", peer.PublishBatch(incoming));
        var got = new List<string>();
        var deadline = Deadline.In(Wait.Long, () => $"{incoming.Count} events by next_batch (got {got.Count})");
        while (got.Count < incoming.Count)
        {
            deadline.ThrowIfPassed();
            var batch = peer.NextBatch(1000);
            Assert.InRange(batch.Count, 1, 1000);
            got.AddRange(batch);
        }
        Assert.Equal(incoming, got);

        // With wait_ms: an empty batch when nothing comes; without: held until an event exists.
        Assert.Equal([], peer.NextBatch(10, waitMs: 30));
        Assert.Equal("event-engine: timeout", peer.RequestText("plugin_command: next_msg 30"));
        peer.SendText("plugin_command: next_batch 10");
        t.Engine.Publish(new TypeA("late"));
        var reply = peer.Receive(Long)!;
        Assert.Equal(["event-engine: batch 1", "TypeAlate"], reply.Select(PluginPeer.Text));
    }

    [Fact]
    public async Task External_plugins_can_be_registered_in_hocon()
    {
        await using var t = Start(_ => { }, """
            event-engine.external-plugins {
              Configured { port = 0, subscriptions = [TypeA] }
            }
            """);
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Long);
        t.Engine.Publish(new TypeA("from hocon"));
        using var peer = t.Peer("Configured");
        Assert.Equal("TypeAfrom hocon", peer.NextMsg());
    }

    [Fact]
    public void A_taken_port_fails_the_engine_start_with_a_clear_error()
    {
        using var blocker = new NetMQ.Sockets.ResponseSocket();
        var port = blocker.BindRandomPort("tcp://127.0.0.1");
        var e = Assert.Throws<EventEngineException>(() => Start(b => b.AddExternalPlugin("Py", port, ["TypeA"])));
        Assert.Contains("the port is already in use", e.Message);
    }
}

public sealed class SessionProtocolOnNetMqTests : SessionProtocolTests
{
    protected override string Transport => "netmq";
}

public sealed class SessionProtocolOnLeanTests : SessionProtocolTests
{
    protected override string Transport => "lean";
}
