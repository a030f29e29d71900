using EventEngine.Actors.Security;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;
using NetMQ;
using NetMQ.Sockets;
using EventEngine.Actors.Sockets;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// The bridge's wire side: an XSUB (bound inproc and on the publish port, subscribed to everything) and an
/// XPUB (bound inproc and on the subscribe port, verbose), both touched only by this link's poller thread.
/// A draining forward loop moves every frame from XSUB to XPUB (the original's proxy) and hands it to the
/// local router; frames published locally for outside subscribers are queued to the poller and sent in batches.
/// Every handler runs guarded on its <see cref="PollerThread"/>: a failure is logged and counted, the thread lives on.
/// </summary>
internal sealed class WireLink : IDisposable
{
    private const int MaxFramesPerWakeUp = 4096;
    private readonly XSubscriberSocket _xsub = new();
    private readonly XPublisherSocket _xpub = new();
    private readonly NetMQQueue<byte[]> _outbound = new();
    private readonly PollerThread _thread;
    // Immutable so each change costs O(log n) and the bridge gets it without a copy (one peer may send thousands).
    private ImmutableDictionary<string, byte[]> _outsidePrefixes = ImmutableDictionary<string, byte[]>.Empty;
    private int _maxSubscriptions;
    private long _refusedSubscriptions;
    private Action<byte[]> _inbound = _ => { };
    private Action<ImmutableDictionary<string, byte[]>> _outsideChanged = _ => { };
    private CreditWindow _inboundCredit = CreditWindow.Unbounded("wire");
    private readonly ILoggingAdapter _log;
    private readonly string _inprocId;
    private readonly EngineMetrics? _metrics;
    private readonly List<Zmtp3Gate> _gates = new();
    private int _disposed;
    private long _multipart;
    private IPAddress _bindAddress = IPAddress.Loopback;

    /// <summary>Creates the sockets and binds them; throws <see cref="EventEngineException"/> naming the port if a bind fails.</summary>
    public WireLink(WireSettings settings, string inprocId, CreditWindow inboundCredit, Action<byte[]> inbound, ILoggingAdapter log,
        CurveSettings? curve = null, EngineMetrics? metrics = null) : this(inprocId, log, metrics)
    {
        try
        {
            Bind(settings, inboundCredit, inbound, curve);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the sockets and the poller thread, binding nothing yet (see <see cref="Bind"/>): the process's first wire
    /// makes NetMQ's first context and sockets here, the largest part of an engine's start-up, which needs no settings.
    /// </summary>
    public WireLink(string inprocId, ILoggingAdapter log, EngineMetrics? metrics = null)
    {
        _inprocId = inprocId;
        _log = log;
        _metrics = metrics;
        _thread = new PollerThread("bridge", log, metrics);
        InprocIn = $"inproc://event-engine-{inprocId}-messages";
        InprocOut = $"inproc://event-engine-{inprocId}-events";
    }

    /// <summary>
    /// Binds the sockets inproc and on the TCP ports of <paramref name="settings"/>; frames from outside go to
    /// <paramref name="inbound"/> within <paramref name="inboundCredit"/>. Throws <see cref="EventEngineException"/>
    /// naming the port if a bind fails (the link is then to be disposed).
    /// </summary>
    public void Bind(WireSettings settings, CreditWindow inboundCredit, Action<byte[]> inbound, CurveSettings? curve = null)
    {
        _inbound = inbound;
        _inboundCredit = inboundCredit;
        _maxSubscriptions = settings.MaxSubscriptions;
        _xsub.Options.Linger = TimeSpan.Zero;
        _xpub.Options.Linger = TimeSpan.Zero;
        _xsub.Options.MaxMsgSize = settings.MaxMessageSize;
        _xpub.Options.MaxMsgSize = settings.MaxMessageSize; // subscribers send frames too (subscriptions)
        _xsub.Options.ReceiveHighWatermark = settings.HighWaterMark;
        _xpub.Options.SendHighWatermark = settings.HighWaterMark;
        _xpub.Options.XPubVerbose = true;

        _xsub.Bind(InprocIn);
        _xpub.Bind(InprocOut);
        _bindAddress = settings.BindAddress == "*" ? IPAddress.Any : IPAddress.Parse(settings.BindAddress);
        PublishPort = BindTcp(_xsub, settings.BindAddress, settings.PublishPort, "wire.publish-port", curve);
        SubscribePort = BindTcp(_xpub, settings.BindAddress, settings.SubscribePort, "wire.subscribe-port", curve);
        _xsub.SendFrame([1]); // subscribe to everything

        _xsub.ReceiveReady += (_, _) => _thread.Guard("reading the publish port", DrainInbound);
        _xpub.ReceiveReady += (_, _) => _thread.Guard("reading subscriptions", DrainSubscriptions);
        _outbound.ReceiveReady += (_, _) => _thread.Guard("sending to subscribers", DrainOutbound);
        _thread.Poller.Add(_xsub);
        _thread.Poller.Add(_xpub);
        _thread.Poller.Add(_outbound);
    }

    /// <summary>Starts the poller thread; <paramref name="outsideChanged"/> hears of every change of outside prefixes.</summary>
    public void Start(Action<ImmutableDictionary<string, byte[]>> outsideChanged)
    {
        _outsideChanged = outsideChanged;
        _thread.Start($"event-engine-bridge-{_inprocId}");
    }

    /// <summary>The bound TCP port plugins publish to (XSUB).</summary>
    public int PublishPort { get; private set; }

    /// <summary>The bound TCP port plugins subscribe to (XPUB).</summary>
    public int SubscribePort { get; private set; }

    /// <summary>Inproc address of the XSUB (publish here from this process).</summary>
    public string InprocIn { get; }

    /// <summary>Inproc address of the XPUB (subscribe here from this process).</summary>
    public string InprocOut { get; }

    /// <summary>
    /// Queues a frame for outside subscribers. Thread-safe; sent in order by the poller thread. A frame that races
    /// the link's disposal (shutdown) is dropped and counted (<c>engine-stopped</c>), never thrown at its publisher.
    /// </summary>
    public void Send(byte[] frame)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _outbound.Enqueue(frame);
                return;
            }
            catch (Exception e) when (e is ObjectDisposedException or NetMQException)
            {
                // disposed meanwhile
            }
        }
        _metrics?.Dropped("engine-stopped");
    }

    // With CURVE on, the socket listens behind a gate that refuses peers not speaking ZMTP 3 (Zmtp3Gate).
    private int BindTcp(NetMQSocket socket, string address, int port, string setting, CurveSettings? curve)
    {
        try
        {
            var bound = Zmtp3Gate.Bind(socket, address, port, curve, setting, _metrics, _log, out var gate);
            if (gate is not null) _gates.Add(gate);
            return bound;
        }
        catch (NetMQException e)
        {
            throw Zmtp3Gate.BindFailed($"event-engine.{setting}", address, port, e);
        }
    }

    private void DrainInbound()
    {
        for (var i = 0; i < MaxFramesPerWakeUp; i++)
        {
            if (!_xsub.TryReceiveFrameBytes(out var frame, out var more)) return;
            if (more)
            {
                ForwardMultipart(frame);
                continue;
            }
            _xpub.TrySendFrame(frame);
            _inbound(frame);
            if (!_inboundCredit.HasRoom)
            {
                PauseInbound();
                return;
            }
        }
    }

    // The original proxies multipart messages untouched; events are single frames, so they are not delivered locally.
    private void ForwardMultipart(byte[] first)
    {
        var frames = new List<byte[]> { first };
        var more = true;
        while (more) frames.Add(_xsub.ReceiveFrameBytes(out more));
        for (var i = 0; i < frames.Count; i++) _xpub.TrySendFrame(frames[i], more: i < frames.Count - 1);
        _metrics?.Dropped("multipart");
        // A peer may send thousands: log the first and then every 1000th, never one line each.
        if (++_multipart % 1000 == 1)
            _log.Warning("A {0}-frame message arrived on the publish port; events are one frame, so it was forwarded but not delivered to plugins ({1} such message(s) so far, counted in event_engine.events.dropped, reason multipart)",
                frames.Count, _multipart);
    }

    // Stop reading (zmq buffers, then the publisher's own high-water mark applies) until local subscribers catch up.
    private void PauseInbound()
    {
        _thread.Poller.Remove(_xsub);
        _inboundCredit.WhenRoom().ContinueWith(_ => _thread.Post(ResumeInbound), TaskContinuationOptions.ExecuteSynchronously);
    }

    // Only a pause posts this (and XSUB is out of the poller until it runs), so one resume is pending at most.
    private void ResumeInbound()
    {
        if (_thread.IsDisposed) return;
        _thread.Poller.Add(_xsub);
        DrainInbound();
    }

    private void DrainSubscriptions()
    {
        var before = _outsidePrefixes;
        while (_xpub.TryReceiveFrameBytes(out var message))
        {
            if (message.Length == 0 || message[0] > 1) continue;
            var prefix = message[1..];
            var key = Convert.ToBase64String(prefix);
            if (message[0] == 0) _outsidePrefixes = _outsidePrefixes.Remove(key);
            else if (_outsidePrefixes.ContainsKey(key)) continue;
            else if (_outsidePrefixes.Count < _maxSubscriptions) _outsidePrefixes = _outsidePrefixes.Add(key, prefix);
            else RefuseSubscription(prefix);
        }
        if (!ReferenceEquals(before, _outsidePrefixes)) _outsideChanged(_outsidePrefixes);
    }

    // A peer may send thousands: log the first and then every 1000th, never one line each.
    private void RefuseSubscription(byte[] prefix)
    {
        _metrics?.SubscriptionRefused();
        if (++_refusedSubscriptions % 1000 == 1)
            _log.Warning("A subscription to a {0}-byte prefix on the subscribe port was refused: outside subscribers already hold event-engine.wire.max-subscriptions = {1} prefixes; no event is put on the wire for it ({2} refused so far, counted in event_engine.wire.subscriptions_refused)",
                prefix.Length, _maxSubscriptions, _refusedSubscriptions);
    }

    private void DrainOutbound()
    {
        for (var i = 0; i < MaxFramesPerWakeUp && _outbound.TryDequeue(out var frame, TimeSpan.Zero); i++)
            _xpub.TrySendFrame(frame);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        DisposeSockets();
    }

    /// <summary>
    /// Disposes the link and waits, at most <paramref name="timeout"/>, until its TCP ports can be bound again: NetMQ
    /// closes a listener on its I/O thread a moment after its socket is disposed, and a start that failed promises its
    /// ports free when it throws.
    /// </summary>
    public void DisposeAndReleasePorts(TimeSpan timeout)
    {
        Dispose();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var port in new[] { PublishPort, SubscribePort })
            while (port > 0 && !CanBind(port) && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(10);
    }

    private bool CanBind(int port)
    {
        using var probe = new Socket(_bindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // as NetMQ binds: only a listener is in the way
        try
        {
            probe.Bind(new IPEndPoint(_bindAddress, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The poller first: NetMQPoller refuses to hold disposed sockets.
    private void DisposeSockets()
    {
        _thread.Dispose();
        foreach (var gate in _gates) gate.Dispose();
        _xsub.Dispose();
        _xpub.Dispose();
        _outbound.Dispose();
    }
}
