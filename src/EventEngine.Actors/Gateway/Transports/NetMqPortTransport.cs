using Akka.Event;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Security;
using EventEngine.Actors.Sockets;
using NetMQ;
using NetMQ.Monitoring;
using NetMQ.Sockets;

namespace EventEngine.Actors.Gateway.Transports;

/// <summary>
/// A plugin port on NetMQ: a ROUTER socket (it speaks REQ envelope framing, so a reply can be held or not sent at all)
/// on the gateway's shared poller thread, a monitor counting connections and a <see cref="NetMQTimer"/>. With CURVE on it
/// listens behind a <see cref="Zmtp3Gate"/>. The only transport that speaks CURVE.
/// </summary>
internal sealed class NetMqPortTransport : IPortTransport
{
    private const int MaxRequestsPerWakeUp = 256;
    private readonly RouterSocket _socket = new();
    private readonly NetMQMonitor _monitor;
    private readonly NetMQTimer _timer = new(TimeSpan.FromSeconds(1));
    private readonly PollerThread _poller;
    private readonly Zmtp3Gate? _gate;
    private readonly string _plugin;
    private readonly List<byte[]> _frames = new();
    private readonly List<byte[]> _body = new();
    private IPortRequests? _requests;

    /// <summary>Creates the socket and binds it; throws <see cref="EventEngineException"/> if the bind fails.</summary>
    public NetMqPortTransport(string plugin, string bindAddress, int port, long maxMessageSize, string monitorAddress,
        PollerThread poller, CurveSettings? curve, EngineMetrics metrics, ILoggingAdapter log)
    {
        _plugin = plugin;
        _poller = poller;
        _timer.Enable = false;
        _socket.Options.Linger = TimeSpan.Zero;
        _socket.Options.MaxMsgSize = maxMessageSize;
        try
        {
            // With CURVE on, the socket listens behind a gate that refuses peers not speaking ZMTP 3 (Zmtp3Gate).
            Port = Zmtp3Gate.Bind(_socket, bindAddress, port, curve, $"port of plugin {plugin}", metrics, log, out _gate);
        }
        catch (NetMQException e)
        {
            _socket.Dispose();
            throw Zmtp3Gate.BindFailed($"the port of external plugin '{plugin}'", bindAddress, port, e);
        }
        _monitor = new NetMQMonitor(_socket, monitorAddress, SocketEvents.Accepted | SocketEvents.Disconnected);
    }

    public int Port { get; }

    // The gateway starts the shared poller thread once every port is attached.
    public void Start(IPortRequests requests)
    {
        _requests = requests;
        _monitor.Accepted += (_, _) => _poller.Guard("a plugin connection", () => requests.ConnectionsChanged(+1));
        _monitor.Disconnected += (_, _) => _poller.Guard("a plugin disconnection", () => requests.ConnectionsChanged(-1));
        _socket.ReceiveReady += (_, _) => _poller.Guard($"requests of plugin {_plugin}", ReceiveRequests);
        _timer.Elapsed += (_, _) => _poller.Guard("a plugin wait timeout", () =>
        {
            _timer.Enable = false;
            requests.WaitTimedOut();
        });
        _poller.Poller.Add(_socket);
        _poller.Poller.Add(_timer);
        _monitor.AttachToPoller(_poller.Poller);
    }

    public void Post(Action action) => _poller.Post(action);

    public void StartTimer(int milliseconds)
    {
        _timer.Enable = false;
        _timer.Interval = milliseconds;
        _timer.Enable = true;
    }

    public void StopTimer() => _timer.Enable = false;

    // ROUTER never blocks on send: a reply to a peer that has gone is dropped.
    public void Reply(Envelope to, ReadOnlySpan<byte[]> frames)
    {
        foreach (var part in to.Routing) _socket.SendMoreFrame(part);
        if (to.Delimited) _socket.SendMoreFrameEmpty();
        for (var i = 0; i < frames.Length - 1; i++) _socket.SendMoreFrame(frames[i]);
        _socket.SendFrame(frames[^1]);
    }

    private void ReceiveRequests()
    {
        for (var i = 0; i < MaxRequestsPerWakeUp; i++)
        {
            if (!_socket.TryReceiveFrameBytes(out var first, out var more)) return;
            _frames.Clear();
            _frames.Add(first);
            while (more) _frames.Add(_socket.ReceiveFrameBytes(out more));
            var envelope = Envelope.Split(_frames, out var bodyStart);
            _body.Clear();
            for (var f = bodyStart; f < _frames.Count; f++) _body.Add(_frames[f]);
            _requests!.Handle(envelope, _body);
        }
    }

    public void Dispose()
    {
        _gate?.Dispose();
        _monitor.Dispose();
        _socket.Dispose();
    }
}
