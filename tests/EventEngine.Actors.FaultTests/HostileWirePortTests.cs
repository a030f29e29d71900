using System.Net.Sockets;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Hostile peers on the bridge's TCP ports (publish 5559, subscribe 5560): the engine never crashes, never delivers a
/// broken frame, and afterwards every plugin still gets every one of its events (<see cref="HostileScenario"/>). The
/// attacks on the publish port use a hand-written ZMTP peer, which unlike a real PUB socket never drops a frame, so the
/// counts are exact; each ends with a marker frame, and the engine has handled everything before it once it arrives.
/// </summary>
public sealed class HostileWirePortTests
{
    private const int Events = HostileScenario.Events;

    private static void Marker(ZmtpPeer pub, TestEngine t, string marker)
    {
        pub.Send(Encoding.ASCII.GetBytes(marker));
        var markers = HostileScenario.Markers(t);
        Wait.Until(() => markers.Items.Contains(marker), () => $"the marker {marker}; got {string.Join(", ", markers.Items)}").GetAwaiter().GetResult();
    }

    [Fact]
    public Task Thousands_of_random_frames_of_0_to_64KiB_on_the_publish_port_are_published_exactly_as_received() => HostileScenario.Run(t =>
    {
        using var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        foreach (var frame in RandomFrames) pub.Send(frame);
        Marker(pub, t, "Marker random");
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(2001, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        HostileScenario.ExpectEverything(t, [.. RandomFrames, "Marker random"u8.ToArray()]);
    });

    private static readonly byte[][] RandomFrames = HostileScenario.RandomFrames(new Random(16), 2000, 64 * 1024);

    [Fact]
    public Task Bytes_that_are_not_zmq_at_all_on_the_wire_ports_never_crash_them_and_what_gets_through_harms_no_subscriber() => HostileScenario.Run(t =>
    {
        var random = new Random(17);
        foreach (var port in new[] { t.Engine.PublishPort, t.Engine.SubscribePort })
        {
            for (var i = 0; i < 50; i++)
            {
                var junk = new byte[random.Next(0, 64 * 1024 + 1)];
                random.NextBytes(junk);
                Hangup.SendJunkAndExpectClose(port, junk);
            }
        }
        using var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        Marker(pub, t, "Marker after junk");
        return Task.CompletedTask;
    }, t =>
    {
        // Junk that happens to open like a ZMTP 1.0 peer (no greeting signature) is read by NetMQ as that protocol's
        // frames and published raw; a subscriber to everything gets each of them, and the marker, unharmed.
        HostileScenario.ExpectEveryRawPublicationDelivered(t);
        Assert.Equal("Marker after junk"u8.ToArray(), HostileScenario.Everything(t).Items[^1]);
    });

    [Fact]
    public Task Empty_frames_on_the_publish_port_are_published_empty() => HostileScenario.Run(t =>
    {
        using var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        for (var i = 0; i < 100; i++) pub.Send(new byte[0]);
        Marker(pub, t, "Marker empty");
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(101, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        HostileScenario.ExpectEverything(t, [.. Enumerable.Repeat(Array.Empty<byte>(), 100), "Marker empty"u8.ToArray()]);
    });

    [Fact]
    public Task Multipart_messages_on_the_publish_port_are_forwarded_but_never_delivered_and_counted_with_one_log_line() => HostileScenario.Run(t =>
    {
        var random = new Random(18);
        using var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        for (var i = 0; i < 500; i++) pub.Send(Enumerable.Range(0, random.Next(2, 6)).Select(_ => Encoding.ASCII.GetBytes("TypeAmultipart")).ToArray());
        Marker(pub, t, "Marker multipart");
        return Task.CompletedTask;
    }, t =>
    {
        Assert.Equal(500, t.Metrics.Sum("event_engine.events.dropped", "reason", "multipart"));
        Assert.Equal(Events, t.Metrics.Sum("event_engine.events.published", "event_type", "TypeA"));
        Assert.Equal(1, t.Log.Count("-frame message arrived on the publish port")); // a peer cannot flood the log
        HostileScenario.ExpectEverything(t, ["Marker multipart"u8.ToArray()]);
    });

    [Fact]
    public Task Invalid_utf8_on_the_publish_port_is_refused_by_text_events_counted_and_passes_as_raw_bytes() => HostileScenario.Run(t =>
    {
        using var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        foreach (var bad in HostileScenario.InvalidUtf8)
        {
            pub.Send([.. "TypeA"u8, .. bad]);
            pub.Send([.. "Raw"u8, .. bad]);
            pub.Send([.. HostileScenario.Reserved, .. bad]); // no commands on the publish port: just a raw frame
        }
        Marker(pub, t, "Marker utf8");
        return Task.CompletedTask;
    }, t =>
    {
        var n = HostileScenario.InvalidUtf8.Length;
        Assert.Equal(n, t.Metrics.Sum("event_engine.events.undecodable", "event_type", "TypeA"));
        Assert.Equal(n, t.Metrics.Sum("event_engine.events.dropped", "reason", "undecodable"));
        Assert.Equal(2 * n + 1, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        HostileScenario.ExpectEverything(t, [.. HostileScenario.InvalidUtf8.SelectMany(bad => new byte[][] { [.. "Raw"u8, .. bad], [.. HostileScenario.Reserved, .. bad] }), "Marker utf8"u8.ToArray()]);
    });

    [Fact]
    public Task A_frame_over_the_maximum_size_on_the_wire_ports_is_refused_at_its_header_and_never_buffered_whole() => HostileScenario.Run(t =>
    {
        const int max = 1024 * 1024; // event-engine.wire.max-message-size below
        using (var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB"))
        {
            pub.Send([.. "Marker"u8, .. new byte[max - 6]]); // exactly the maximum: delivered
            var markers = HostileScenario.Markers(t);
            Wait.Until(() => markers.Count == 1 && markers.Items[0].Length == max, "the largest allowed frame").GetAwaiter().GetResult();
            try
            {
                pub.Send([.. "Marker"u8, .. new byte[max - 5]]); // one byte more: the sender is dropped (maybe while it still writes)
            }
            catch (IOException)
            {
                // dropped already
            }
            Assert.True(pub.ClosedWithin(TimeSpan.FromSeconds(10)), "the engine kept a peer that sent an oversized frame");
        }
        OversizeAttack.AnnounceHugeFrame(t.Engine.PublishPort, "PUB");
        OversizeAttack.AnnounceHugeFrame(t.Engine.SubscribePort, "SUB"); // subscribers send frames too (subscriptions)
        using var again = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        Marker(again, t, "Marker after oversize");
        return Task.CompletedTask;
    }, t => Assert.Equal(2, t.Metrics.Sum("event_engine.events.published", "event_type", "raw")), hocon: "event-engine.wire.max-message-size = 1MiB");

    [Fact]
    public Task Peers_that_vanish_mid_frame_or_mid_subscription_leave_nothing_behind() => HostileScenario.Run(async t =>
    {
        using (var pub = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB"))
        {
            pub.SendLongHeader(1000);
            pub.WriteRaw(Encoding.ASCII.GetBytes("Markerhalf"));
        }
        for (var i = 0; i < 20; i++)
        {
            var sub = new SubscriberSocket();
            sub.Options.Linger = TimeSpan.Zero;
            sub.Connect($"tcp://127.0.0.1:{t.Engine.SubscribePort}");
            sub.Subscribe($"Vanishing{i}");
            if (i % 2 == 0) await Wait.Until(() => t.Engine.Router.Table.OutsidePrefixes.Any(), "an outside subscription");
            sub.Dispose();
        }
        await Wait.Until(() => !t.Engine.Router.Table.OutsidePrefixes.Any(), "every vanished subscriber's prefix gone from the routing table");
        using var again = ZmtpPeer.Connect(t.Engine.PublishPort, "PUB");
        Marker(again, t, "Marker after vanishing");
    }, t =>
    {
        Assert.Equal(["Marker after vanishing"], HostileScenario.Markers(t).Items); // never the half frame
        Assert.Equal(1, t.Metrics.Sum("event_engine.events.published", "event_type", "raw"));
        HostileScenario.ExpectEverything(t, ["Marker after vanishing"u8.ToArray()]);
    });
}
