using System.Text;
using EventEngine.Actors.TestKit;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// The test's connections to the engine's TCP ports. zmq gives no word when a publisher's connection is usable (frames
/// sent before the engine's XSUB has subscribed are dropped), so the publisher sends ping frames (a prefix no event
/// type has) until the test subscriber sees one; a subscription counts once the bridge lists its prefix as held
/// outside. Ping frames are left out of what the test sees.
/// </summary>
internal sealed class WireProbe : IDisposable
{
    private static readonly byte[] PingPrefix = "\u0001event-engine-testkit-ping"u8.ToArray();
    private readonly Harness _harness;
    private readonly List<IDisposable> _sockets = new();
    private PublisherSocket? _publisher;
    private byte[]? _ping;
    private bool _pingSeen;

    public WireProbe(Harness harness) => _harness = harness;

    public static bool IsPing(ReadOnlySpan<byte> frame) => frame.StartsWith(PingPrefix);

    /// <summary>Called by the test subscriber for ping frames (which are not recorded).</summary>
    public void OnPing(byte[] frame)
    {
        lock (this)
        {
            if (_ping is not null && frame.AsSpan().SequenceEqual(_ping)) _pingSeen = true;
        }
    }

    public void Publish(byte[] frame, TimeSpan timeout)
    {
        var publisher = Publisher(timeout);
        _harness.Injections.AddContent(frame);
        publisher.SendFrame(frame);
    }

    public WireSubscriber Subscribe(string prefix, TimeSpan timeout)
    {
        var engine = _harness.Engine;
        var socket = new SubscriberSocket();
        lock (_sockets) _sockets.Add(socket);
        socket.Options.Linger = TimeSpan.Zero;
        socket.Connect($"tcp://{Loopback(engine)}:{engine.SubscribePort}");
        var bytes = Encoding.ASCII.GetBytes(prefix);
        socket.Subscribe(bytes);
        var deadline = DateTime.UtcNow + timeout;
        while (!engine.Router.Table.OutsidePrefixes.Any(p => p.AsSpan().SequenceEqual(bytes)))
        {
            if (DateTime.UtcNow > deadline)
                throw new EventExpectationException($"The engine's bridge did not confirm a subscription to {Describe.Prefix(bytes)} on port {engine.SubscribePort} within {Describe.Duration(timeout)}.");
            Thread.Sleep(10); // the table is not signalled; look again shortly
        }
        return new WireSubscriber(socket, _harness, prefix);
    }

    private PublisherSocket Publisher(TimeSpan timeout)
    {
        if (_publisher is not null) return _publisher;
        var engine = _harness.Engine;
        var publisher = new PublisherSocket();
        lock (_sockets) _sockets.Add(publisher);
        publisher.Options.Linger = TimeSpan.Zero;
        publisher.Connect($"tcp://{Loopback(engine)}:{engine.PublishPort}");
        var ping = PingPrefix.Concat(Guid.NewGuid().ToByteArray()).ToArray();
        lock (this) _ping = ping;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            publisher.SendFrame(ping);
            if (_harness.WaitUntil(() => { lock (this) return _pingSeen; }, TimeSpan.FromMilliseconds(20))) break;
            if (DateTime.UtcNow > deadline)
                throw new EventExpectationException($"Could not reach the engine's publish port {engine.PublishPort} within {Describe.Duration(timeout)}.");
        }
        return _publisher = publisher;
    }

    private static string Loopback(EventEngine engine) =>
        engine.Settings.Wire.BindAddress is "0.0.0.0" or "*" ? "127.0.0.1" : engine.Settings.Wire.BindAddress;

    public void Dispose()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
            _sockets.Clear();
        }
    }
}
