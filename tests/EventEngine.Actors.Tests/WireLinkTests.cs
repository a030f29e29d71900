using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;
using NetMQ;
using NetMQ.Sockets;
using EventEngine.Actors.TestSupport;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// The bridge's wire side on its own: real TCP sockets on 127.0.0.1 against one <see cref="WireLink"/>, with the
/// frames, subscription changes, metrics and warnings it produces checked exactly.
/// </summary>
public class WireLinkTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly byte[] Warm = "warm-up"u8.ToArray();

    private sealed class Harness : IDisposable
    {
        public readonly ConcurrentQueue<byte[]> Inbound = new();
        public readonly ConcurrentQueue<string?> InboundThreads = new();
        public readonly EngineMetrics Metrics = new($"wire-test-{Guid.NewGuid():N}");
        public readonly MetricsRecorder Recorder = new();
        public readonly WireLink Link;
        public readonly string Id = Guid.NewGuid().ToString("N");
        public volatile ImmutableDictionary<string, byte[]> Outside = ImmutableDictionary<string, byte[]>.Empty;
        public int OutsideChanges;

        public Harness(ILoggingAdapter log, CreditWindow? credit = null, int maxSubscriptions = 10000)
        {
            Recorder.Watch(Metrics);
            var settings = new WireSettings(true, "127.0.0.1", 0, 0, 1000, 1 << 20) { MaxSubscriptions = maxSubscriptions };
            Link = new WireLink(settings, Id, credit ?? CreditWindow.Unbounded("wire"), frame =>
            {
                if (frame.AsSpan().SequenceEqual(Warm)) return;
                credit?.Take(1);
                InboundThreads.Enqueue(Thread.CurrentThread.Name);
                Inbound.Enqueue(frame);
            }, log, metrics: Metrics);
            Link.Start(prefixes =>
            {
                Outside = prefixes;
                Interlocked.Increment(ref OutsideChanges);
            });
        }

        public string[] Texts() => Inbound.Select(f => Encoding.ASCII.GetString(f)).ToArray();

        public void Dispose()
        {
            Link.Dispose();
            Recorder.Dispose();
            Metrics.Dispose();
        }
    }

    // A PUB drops frames until the XSUB's subscription reached it: publish a frame the harness ignores until one
    // arrives at the subscriber that listens to everything.
    private static void WarmUp(PublisherSocket publisher, SubscriberSocket subscriber)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            publisher.SendFrame(Warm);
            if (subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(50), out var frame) && frame.AsSpan().SequenceEqual(Warm)) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the wire link never forwarded a warm-up frame");
        }
        // frames published before the one received may still follow it
        while (subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(100), out _)) { }
    }

    private static (PublisherSocket, SubscriberSocket) Connect(Harness h, string? publishTo = null, string? subscribeTo = null)
    {
        var publisher = new PublisherSocket();
        var subscriber = new SubscriberSocket();
        publisher.Options.Linger = subscriber.Options.Linger = TimeSpan.Zero;
        publisher.Connect(publishTo ?? $"tcp://127.0.0.1:{h.Link.PublishPort}");
        subscriber.Connect(subscribeTo ?? $"tcp://127.0.0.1:{h.Link.SubscribePort}");
        subscriber.SubscribeToAnyTopic();
        WarmUp(publisher, subscriber);
        return (publisher, subscriber);
    }

    private static byte[] Next(SubscriberSocket subscriber, out bool more)
    {
        Assert.True(subscriber.TryReceiveFrameBytes(Deadline, out var frame, out more), "no frame reached the subscriber");
        return frame!;
    }

    [Fact]
    public async Task Frames_published_over_tcp_reach_the_router_on_the_bridge_thread_and_tcp_subscribers_byte_for_byte()
    {
        using var h = new Harness(Log);
        var (publisher, subscriber) = Connect(h);
        using var ownedPublisher = publisher;
        using var ownedSubscriber = subscriber;
        byte[][] frames = ["TypeA1"u8.ToArray(), [0, 255, 7, 0], "TypeB-two"u8.ToArray()];
        foreach (var frame in frames) publisher.SendFrame(frame);

        await Wait.Until(() => h.Inbound.Count == 3, "3 frames at the router");
        Assert.Equal(frames, h.Inbound.ToArray());
        Assert.All(h.InboundThreads, name => Assert.Equal($"event-engine-bridge-{h.Id}", name));
        foreach (var frame in frames)
        {
            Assert.Equal(frame, Next(subscriber, out var more));
            Assert.False(more);
        }
    }

    [Fact]
    public async Task The_inproc_endpoints_carry_frames_in_and_out_like_the_tcp_ports()
    {
        using var h = new Harness(Log);
        var (publisher, subscriber) = Connect(h, h.Link.InprocIn, h.Link.InprocOut);
        using var ownedPublisher = publisher;
        using var ownedSubscriber = subscriber;
        publisher.SendFrame("inproc-event"u8.ToArray());

        await Wait.Until(() => h.Inbound.Count == 1, "the frame at the router");
        Assert.Equal("inproc-event", h.Texts().Single());
        Assert.Equal("inproc-event"u8.ToArray(), Next(subscriber, out _));
    }

    [Fact]
    public async Task Frames_sent_by_the_engine_reach_outside_subscribers_in_order_and_are_dropped_counted_after_disposal()
    {
        var h = new Harness(Log);
        using var subscriber = new SubscriberSocket();
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{h.Link.SubscribePort}");
        subscriber.Subscribe("Out");
        await Wait.Until(() => h.Outside.ContainsKey(Convert.ToBase64String("Out"u8.ToArray())), "the outside subscription");

        for (var i = 0; i < 5; i++) h.Link.Send(Encoding.ASCII.GetBytes($"Out{i}"));
        for (var i = 0; i < 5; i++) Assert.Equal($"Out{i}", Encoding.ASCII.GetString(Next(subscriber, out _)));
        Assert.Equal(0, h.Recorder.Sum("event_engine.events.dropped"));

        h.Link.Dispose();
        h.Link.Send("Out-late"u8.ToArray());
        Assert.Equal(1, h.Recorder.Sum("event_engine.events.dropped", "reason", "engine-stopped"));
        h.Dispose();
    }

    [Fact]
    public async Task A_multipart_message_is_forwarded_whole_counted_and_warned_about_once_but_never_routed()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        using var h = new Harness(Log);
        var (publisher, subscriber) = Connect(h);
        using var ownedPublisher = publisher;
        using var ownedSubscriber = subscriber;

        for (var round = 0; round < 2; round++)
            publisher.SendMoreFrame("part-a"u8.ToArray()).SendMoreFrame("part-b"u8.ToArray()).SendFrame("part-c"u8.ToArray());
        publisher.SendFrame("single"u8.ToArray());

        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("part-a"u8.ToArray(), Next(subscriber, out var more));
            Assert.True(more);
            Assert.Equal("part-b"u8.ToArray(), Next(subscriber, out more));
            Assert.True(more);
            Assert.Equal("part-c"u8.ToArray(), Next(subscriber, out more));
            Assert.False(more);
        }
        Assert.Equal("single"u8.ToArray(), Next(subscriber, out _));
        await Wait.Until(() => h.Inbound.Count == 1, "the single frame at the router");
        Assert.Equal(["single"], h.Texts());
        Assert.Equal(2, h.Recorder.Sum("event_engine.events.dropped", "reason", "multipart"));

        var warning = warnings.ExpectMsg<Warning>(Deadline);
        Assert.Contains("A 3-frame message arrived on the publish port", warning.ToString());
        Assert.Contains("(1 such message(s) so far", warning.ToString());
        warnings.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Reading_the_publish_port_pauses_while_the_credit_window_is_full_and_resumes_when_it_drains()
    {
        var credit = new CreditWindow("wire", highWaterMark: 3, lowWaterMark: 1);
        using var h = new Harness(Log, credit);
        var (publisher, subscriber) = Connect(h);
        using var ownedPublisher = publisher;
        using var ownedSubscriber = subscriber;

        for (var i = 0; i < 8; i++) publisher.SendFrame(Encoding.ASCII.GetBytes($"e{i}"));
        await Wait.Until(() => h.Inbound.Count >= 3, "3 frames at the router");
        // paused: the rest wait in the socket's buffers while the window stays full
        await Wait.UntilStable(() => h.Inbound.Count, "frames read while the window is full", TimeSpan.FromMilliseconds(200));
        Assert.Equal(["e0", "e1", "e2"], h.Texts());

        credit.Return();
        credit.Return(); // 1 in flight = low-water mark: room again
        await Wait.Until(() => h.Inbound.Count >= 5, "2 more frames after the window drained");
        await Wait.UntilStable(() => h.Inbound.Count, "frames read until the window is full again", TimeSpan.FromMilliseconds(100));
        Assert.Equal(["e0", "e1", "e2", "e3", "e4"], h.Texts());

        while (credit.InFlight > 0) credit.Return();
        await Wait.Until(() => h.Inbound.Count >= 8, "every frame");
        while (credit.InFlight > 0) credit.Return();
        publisher.SendFrame("after"u8.ToArray()); // the publish port is read again, not only what was buffered
        await Wait.Until(() => h.Inbound.Count >= 9, "a frame published after the pauses");
        Assert.Equal(["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "after"], h.Texts());
    }

    [Fact]
    public async Task Outside_subscriptions_are_tracked_deduplicated_removed_and_refused_past_the_limit_with_one_warning()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        using var h = new Harness(Log, maxSubscriptions: 2);
        using var peer = new XSubscriberSocket();
        peer.Options.Linger = TimeSpan.Zero;
        peer.Connect($"tcp://127.0.0.1:{h.Link.SubscribePort}");
        static string Key(string s) => Convert.ToBase64String(Encoding.ASCII.GetBytes(s));
        byte[] Message(byte kind, string prefix) => [kind, .. Encoding.ASCII.GetBytes(prefix)];

        peer.SendFrame(Message(1, "A"));
        await Wait.Until(() => h.Outside.Count == 1, "the first prefix");
        peer.SendFrame([]);                  // not a subscription message: ignored
        peer.SendFrame(Message(2, "junk"));  // neither subscribe (1) nor unsubscribe (0): ignored
        peer.SendFrame(Message(1, "A"));     // already held: no change
        peer.SendFrame(Message(1, "B"));
        await Wait.Until(() => h.Outside.Count == 2, "the second prefix");
        Assert.Equal(new[] { Key("A"), Key("B") }.Order(), h.Outside.Keys.Order());
        Assert.Equal("B"u8.ToArray(), h.Outside[Key("B")]);

        peer.SendFrame(Message(1, "C"));     // past max-subscriptions = 2
        peer.SendFrame(Message(1, "D"));
        await Wait.Until(() => h.Recorder.Sum("event_engine.wire.subscriptions_refused") == 2, "2 refused subscriptions");
        var warning = warnings.ExpectMsg<Warning>(Deadline);
        Assert.Contains("max-subscriptions = 2", warning.ToString());
        Assert.Contains("(1 refused so far", warning.ToString());

        peer.SendFrame(Message(0, "A"));
        peer.SendFrame(Message(0, "A")); // the peer subscribed to it twice
        await Wait.Until(() => h.Outside.Count == 1, "the prefix removed");
        Assert.Equal([Key("B")], h.Outside.Keys);
        Assert.Equal(3, Volatile.Read(ref h.OutsideChanges)); // A, B, minus A: the ignored and refused frames changed nothing
        Assert.Equal(2, h.Recorder.Sum("event_engine.wire.subscriptions_refused"));
        warnings.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Disposal_closes_both_ports_and_frees_the_inproc_names_and_a_second_disposal_is_harmless()
    {
        using var h = new Harness(Log);
        h.Link.Dispose();
        h.Link.Dispose();
        foreach (var port in new[] { h.Link.PublishPort, h.Link.SubscribePort })
            await Wait.Until(() => Refused(port), $"port {port} to refuse connections");
        using var again = new PairSocket();
        await Wait.Until(() => Binds(again, $"inproc://event-engine-{h.Id}-messages"), "the inproc name to be free");
    }

    private static bool Refused(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    private static bool Binds(NetMQSocket socket, string address)
    {
        try
        {
            socket.Bind(address);
            return true;
        }
        catch (AddressAlreadyInUseException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_port_in_use_fails_naming_the_setting_and_releases_what_was_bound()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var id = "";
        foreach (var (publish, subscribe, setting) in new[] { (port, 0, "wire.publish-port"), (0, port, "wire.subscribe-port") })
        {
            id = Guid.NewGuid().ToString("N");
            var settings = new WireSettings(true, "127.0.0.1", publish, subscribe, 1000, 1 << 20);
            var error = Assert.Throws<EventEngineException>(() =>
                new WireLink(settings, id, CreditWindow.Unbounded("wire"), _ => { }, Log));
            Assert.Contains($"event-engine.{setting} tcp://127.0.0.1:{port}", error.Message);
            Assert.Contains("already in use", error.Message);
        }
        // the failed links released their inproc names: a link with the same id binds them again
        WireLink? link = null;
        await Wait.Until(() => Binds(), "the inproc names to be free");
        link!.Dispose();

        bool Binds()
        {
            try
            {
                link = new WireLink(new WireSettings(true, "127.0.0.1", 0, 0, 1000, 1 << 20), id, CreditWindow.Unbounded("wire"), _ => { }, Log);
                return true;
            }
            catch (AddressAlreadyInUseException)
            {
                return false;
            }
        }
    }
}
