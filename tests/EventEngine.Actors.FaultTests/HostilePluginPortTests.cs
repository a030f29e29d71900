using System.Net.Sockets;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Hostile peers on a registered external plugin's port: each gets a clear reply or is dropped, the engine carries on,
/// and afterwards a well-behaved plugin on the same port gets every one of its events (<see cref="HostileScenario"/>).
/// </summary>
public abstract class HostilePluginPortTests
{
    /// <summary>event-engine.gateway.plugin-transport of every engine in these tests.</summary>
    protected abstract string Transport { get; }

    private Task Run(Func<TestEngine, Task> attack, Action<TestEngine>? verify = null, string hocon = "") =>
        HostileScenario.Run(attack, verify, $"{hocon}\nevent-engine.gateway.plugin-transport = {Transport}");

    private const string Published = "event-engine: msg published";

    [Fact]
    public Task Thousands_of_random_frames_of_0_to_64KiB_are_published_exactly_as_received() => Run(t =>
    {
        using (var hostile = t.Peer("Victim"))
        {
            foreach (var frame in RandomFrames)
                Assert.Equal(Published, PluginPeer.Text(hostile.Request(frame).Single())); // any other bytes: published
        }
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(2000, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        HostileScenario.ExpectEverything(t, RandomFrames);
    });

    private static readonly byte[][] RandomFrames = HostileScenario.RandomFrames(new Random(6), 2000, 64 * 1024);

    [Fact]
    public Task Bytes_that_are_not_zmq_at_all_never_crash_the_port_and_what_gets_through_harms_no_subscriber() => Run(async t =>
    {
        var random = new Random(8);
        for (var i = 0; i < 100; i++)
        {
            var junk = new byte[random.Next(0, 64 * 1024 + 1)];
            random.NextBytes(junk);
            Hangup.SendJunkAndExpectClose(t.PortOf("Victim"), junk);
        }
        // On NetMQ, bytes that happen to open like a ZMTP 1.0 peer (no signature) are read as that old protocol's frames
        // and handled like any request: published as received or answered bad msg. Each is a "new peer" of the port, so
        // the well-behaved plugin comes after they have all been handled (nothing signals that: the counts stop moving).
        await Wait.UntilStable(() => t.Metrics.Sum("event_engine.events.published") + t.Metrics.Sum("event_engine.gateway.bad_requests"),
            "the requests read from the junk", TimeSpan.FromMilliseconds(500));
        using var after = t.Peer("Victim");
        Assert.Equal("event-engine: bad msg: unknown command 'sync'", after.RequestText("plugin_command: sync"));
    }, HostileScenario.ExpectEveryRawPublicationDelivered);

    [Fact]
    public Task Empty_frames_are_published_empty_and_an_empty_message_gets_bad_msg() => Run(t =>
    {
        using (var hostile = t.Peer("Victim"))
        {
            for (var i = 0; i < 100; i++) Assert.Equal(Published, PluginPeer.Text(hostile.Request(new byte[0]).Single()));
            for (var i = 0; i < 100; i++) Assert.Equal("event-engine: bad msg: expected one frame", PluginPeer.Text(hostile.Request([], []).Single()));
        }
        using var dealer = new DealerSocket(); // no REQ envelope at all: an empty frame with nothing after it
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect($"tcp://127.0.0.1:{t.PortOf("Victim")}");
        for (var i = 0; i < 100; i++)
        {
            dealer.SendFrameEmpty(); // read as an empty envelope delimiter with no request after it
            List<string>? reply = null;
            Assert.True(dealer.TryReceiveMultipartStrings(PluginPeer.ReplyTimeout, ref reply));
            Assert.Equal(["", "event-engine: bad msg: expected one frame"], reply);
        }
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(100, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        Assert.Equal(200, t.Metrics.Sum("event_engine.gateway.bad_requests", "plugin", "Victim", "reason", "multipart"));
    });

    [Fact]
    public Task Multipart_requests_get_bad_msg_and_publish_nothing() => Run(t =>
    {
        var random = new Random(7);
        using var hostile = t.Peer("Victim");
        for (var i = 0; i < 500; i++)
        {
            var frames = Enumerable.Range(0, random.Next(2, 6)).Select(_ => Encoding.ASCII.GetBytes("TypeAmultipart")).ToArray();
            Assert.Equal("event-engine: bad msg: expected one frame", PluginPeer.Text(hostile.Request(frames).Single()));
        }
        // The session goes on: the same peer may still publish, one frame at a time.
        Assert.Equal(Published, hostile.RequestText("not TypeA, raw"));
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(500, t.Metrics.Sum("event_engine.gateway.bad_requests", "plugin", "Victim", "reason", "multipart"));
        Assert.Equal(1, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        Assert.Equal(Events, t.Metrics.Sum("event_engine.events.published", "event_type", "TypeA")); // none of the multipart ones
    });

    private const int Events = HostileScenario.Events;

    [Fact]
    public Task Invalid_utf8_is_refused_by_text_events_counted_and_logged_and_passes_as_raw_bytes() => Run(t =>
    {
        using var hostile = t.Peer("Victim");
        foreach (var bad in HostileScenario.InvalidUtf8)
        {
            Assert.Equal(Published, PluginPeer.Text(hostile.Request([.. "TypeA"u8, .. bad]).Single())); // TypeA is UTF-8 text
            Assert.Equal(Published, PluginPeer.Text(hostile.Request([.. "Raw"u8, .. bad]).Single())); // no type: raw bytes
            Assert.Equal("event-engine: bad msg: unknown command '" + new string(bad.Select(b => b is >= 0x20 and < 0x7f ? (char)b : '?').ToArray()) + "'",
                PluginPeer.Text(hostile.Request([.. HostileScenario.Reserved, .. bad]).Single()));
        }
        return Task.CompletedTask;
    }, t =>
    {
        var n = HostileScenario.InvalidUtf8.Length;
        Assert.Equal(n, t.Metrics.Sum("event_engine.events.undecodable", "event_type", "TypeA"));
        Assert.Equal(n, t.Metrics.Sum("event_engine.events.dropped", "reason", "undecodable"));
        Assert.Equal(n, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        Assert.Equal(n, t.Metrics.Sum("event_engine.gateway.bad_requests", "plugin", "Victim", "reason", "unknown-command"));
        Assert.True(t.Log.Contains("Dropped an undecodable event"), t.Log.Dump());
    });

    [Fact]
    public Task Unknown_plugin_command_verbs_get_the_bad_msg_reply_and_publish_nothing() => Run(t =>
    {
        var cases = new (string Request, string Reply)[]
        {
            ("plugin_command: frobnicate", "event-engine: bad msg: unknown command 'frobnicate'"),
            ("plugin_command: ", "event-engine: bad msg: unknown command ''"),
            ("plugin_command: NEXT_MSG", "event-engine: bad msg: unknown command 'NEXT_MSG'"),
            ("plugin_command: next_msgs", "event-engine: bad msg: unknown command 'next_msgs'"),
            ("plugin_command: rm -rf /", "event-engine: bad msg: unknown command 'rm'"),
            ("plugin_command: publish\nTypeAsneaky", "event-engine: bad msg: unknown command 'publish'"),
            ("plugin_command: " + new string('x', 10_000), "event-engine: bad msg: unknown command '" + new string('x', 40) + "...'"),
            ("plugin_command: quit now", "event-engine: bad msg: quit takes no arguments"),
            ("plugin_command: next_msg -1", "event-engine: bad msg: next_msg takes an optional <wait_ms> (0..3600000)"),
            ("plugin_command: next_batch 0", "event-engine: bad msg: next_batch takes <max> (1..65536), an optional <wait_ms> (0..3600000) and an optional 'traceparents'"),
            ("plugin_command: publish_batch\n\u0000\u0000\u0000\u0009TypeA", "event-engine: bad msg: event 0 length 9 runs past the end"),
        };
        using var hostile = t.Peer("Victim");
        for (var round = 0; round < 20; round++)
            foreach (var (request, reply) in cases)
                Assert.Equal(reply, hostile.RequestText(request));
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(20 * 7, t.Metrics.Sum("event_engine.gateway.bad_requests", "plugin", "Victim", "reason", "unknown-command"));
        Assert.Equal(20 * 4, t.Metrics.Sum("event_engine.gateway.bad_requests", "plugin", "Victim", "reason", "invalid"));
        Assert.Equal(0, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        Assert.Equal(Events, t.Metrics.Sum("event_engine.events.published", "event_type", "TypeA"));
    });

    [Fact]
    public Task A_frame_over_the_maximum_size_is_refused_at_its_header_and_never_buffered_whole() => Run(t =>
    {
        const int max = 1024 * 1024; // event-engine.wire.max-message-size below
        using (var peer = t.Peer("Victim"))
            Assert.Equal(Published, PluginPeer.Text(peer.Request(new byte[max]).Single())); // exactly the maximum: accepted
        using (var over = t.Peer("Victim"))
        {
            over.Send(new byte[max + 1]);
            Assert.Null(over.Receive(TimeSpan.FromSeconds(1))); // one byte more: dropped, no reply
        }
        OversizeAttack.AnnounceHugeFrame(t.PortOf("Victim"), "REQ");
        return Task.CompletedTask;
    }, t => Assert.Equal(1, t.Metrics.Sum("event_engine.events.published", "event_type", "raw")),
        hocon: "event-engine.wire.max-message-size = 1MiB");

    [Fact]
    public Task A_peer_that_vanishes_mid_request_loses_nothing_for_the_plugin() => Run(async t =>
    {
        // 1. Half a frame, then gone.
        using (var raw = ZmtpPeer.Connect(t.PortOf("Victim"), "REQ"))
        {
            raw.WriteRaw([0x01, 0x00]); // the empty delimiter, more to come
            raw.SendLongHeader(1000);
            raw.WriteRaw(Encoding.ASCII.GetBytes("TypeAhalf"));
        }
        // 2. A peer that takes an event and vanishes without acknowledging it: the event is handed out again.
        using (var taker = new RequestSocket())
        {
            taker.Options.Linger = TimeSpan.Zero;
            taker.Connect($"tcp://127.0.0.1:{t.PortOf("Victim")}");
            taker.SendFrame("plugin_command: next_msg");
            Assert.True(taker.TryReceiveFrameString(PluginPeer.ReplyTimeout, out var inFlight));
            Assert.StartsWith("TypeA", inFlight);
        }
        // 3. A publication whose sender is gone before the reply: published (it arrived whole), the reply lost.
        using (var quick = new RequestSocket())
        {
            quick.Options.Linger = TimeSpan.FromSeconds(5);
            quick.Connect($"tcp://127.0.0.1:{t.PortOf("Victim")}");
            quick.SendFrame("Quick, raw");
        }
        await Wait.Until(() => t.Metrics.Sum("event_engine.events.published", "event_type", "raw") == 1, "the quick publication");
    }, t =>
    {
        Assert.Equal(0, t.Metrics.Sum("event_engine.events.published", "event_type", "TypeA") - Events); // the half frame never became an event
        Assert.Equal(1, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
    });
}

public sealed class HostilePluginPortOnNetMqTests : HostilePluginPortTests
{
    protected override string Transport => "netmq";
}

public sealed class HostilePluginPortOnLeanTests : HostilePluginPortTests
{
    protected override string Transport => "lean";
}
