using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Gateway.Transports;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// One registered external plugin's side of the protocol (docs/protocol.md), served through its port's transport
/// (<see cref="IPortTransport"/>: NetMQ or the lean ZMTP endpoint) and confined to that transport's thread. The engine
/// decides per request whether and when to reply: a <c>next_msg</c> is held (not the thread) until an event exists,
/// <c>quit</c> gets no reply, and a request from a new peer (a restarted plugin) is recognised by its envelope's identity.
/// </summary>
/// <remarks>
/// Delivery guarantee: events handed out by a reply are acknowledged by the same peer's next request (after a
/// fast-mode fetch: its next fetch, <c>ack</c> or <c>quit</c>), and only then is their credit returned. When a request comes from a different peer, the previous peer's unacknowledged
/// events are handed out again first (at least once across a plugin restart). The port owns its transport.
/// </remarks>
internal sealed class PluginPort : IPortRequests, IDisposable
{
    private readonly IPortTransport _transport;
    private readonly SessionInbox _inbox;
    private readonly EventRouter _router;
    private readonly EngineMetrics _metrics;
    private readonly ILoggingAdapter _log;
    private readonly List<Delivery> _unacked = new();
    private readonly List<byte[]> _reply = new();
    private bool _unackedWantExplicitAck;
    private readonly Action _onEventsArrived;
    private Queue<Delivery> _redeliver = new();
    private IActorRef _session = ActorRefs.Nobody;
    private byte[]? _peer;
    private bool _sawRequest;
    private Pending? _pending;
    private int _connections;
    private PortState _state;
    private bool _engineStarted;
    private readonly RefusalLog _refusals;

    /// <summary>Serves <paramref name="plugin"/> through <paramref name="transport"/> (bound already), which it owns from now on.</summary>
    public PluginPort(string plugin, IPortTransport transport, SessionInbox inbox, EventRouter router, EngineMetrics metrics,
        ILoggingAdapter log, Task engineStarted)
    {
        Plugin = plugin;
        _transport = transport;
        _inbox = inbox;
        _router = router;
        _metrics = metrics;
        _log = log;
        _refusals = new RefusalLog(plugin, log);
        _onEventsArrived = () => { if (_pending is { WantsEvents: true }) Serve(); };
        _inbox.OnWake(() => _transport.Post(_onEventsArrived));
        engineStarted.ContinueWith(_ => _transport.Post(EngineStarted), TaskContinuationOptions.ExecuteSynchronously);
    }

    private enum PortState
    {
        Open,
        Quit,
        Dropped,
        Stopping,
    }

    public string Plugin { get; }

    /// <summary>The bound TCP port.</summary>
    public int Port => _transport.Port;

    /// <summary>Wires the port to its session actor and starts serving (a NetMQ port once the gateway's poller runs).</summary>
    public void Start(IActorRef session)
    {
        _session = session;
        _transport.Start(this);
    }

    /// <summary>Runs <paramref name="action"/> on the port's thread. Any thread.</summary>
    public void Post(Action action) => _transport.Post(action);

    /// <summary>
    /// The engine is stopping: releases every event the plugin holds and ignores its requests from now on (its
    /// connection ends with the engine). Port thread.
    /// </summary>
    public int StopServing()
    {
        var released = ReleaseAll();
        _state = PortState.Stopping;
        return released;
    }

    /// <summary>
    /// The plugin is gone for good (disconnect timeout, drop policy): releases every event it holds or would
    /// get, and refuses further requests. Port thread.
    /// </summary>
    public int Drop()
    {
        var released = ReleaseAll();
        _state = PortState.Dropped;
        return released;
    }

    void IPortRequests.Handle(Envelope envelope, IReadOnlyList<byte[]> body)
    {
        try
        {
            Handle(envelope, body);
        }
        catch (Exception e)
        {
            _log.Error(e, "Gateway: handling a request of plugin {0} failed; carrying on", Plugin);
        }
    }

    private void Handle(Envelope envelope, IReadOnlyList<byte[]> body)
    {
        var request = body.Count == 1 ? PluginRequest.Parse(body[0]) : PluginRequest.Bad("expected one frame");
        if (_state == PortState.Stopping) return; // no reply: the engine is going away
        if (_state != PortState.Open)
        {
            if (request.Kind != RequestKind.Quit)
                BadRequest(envelope, "session-over", _state == PortState.Quit
                    ? $"plugin {Plugin} has quit; its session is over"
                    : $"plugin {Plugin} was dropped after its disconnect timeout; its session is over");
            return;
        }
        AcceptPeer(envelope, request);
        if (!_sawRequest)
        {
            _sawRequest = true;
            _session.Tell(PeerFirstRequest.Instance);
        }
        switch (request.Kind)
        {
            case RequestKind.Publish:
                PublishWhenStarted(envelope, [request.Frame!], PluginReplies.MsgPublished, default);
                break;
            case RequestKind.PublishBatch:
                PublishWhenStarted(envelope, request.Frames!, PluginReplies.BatchPublished(request.Frames!.Count), request.Trace);
                break;
            case RequestKind.NextMsg:
            case RequestKind.NextBatch:
                _pending = new Pending(envelope, request.Kind == RequestKind.NextBatch, request.MaxEvents, WantsEvents: true)
                {
                    ExplicitAck = request.WantsExplicitAck,
                    Traceparents = request.WantsTraceparents,
                };
                if (Serve()) break;
                if (request.WaitMs == 0) WaitTimedOut();
                else if (request.WaitMs > 0) _transport.StartTimer(request.WaitMs);
                break;
            case RequestKind.Ack:
                var count = request.MaxEvents < 0 ? _unacked.Count : request.MaxEvents;
                if (count > _unacked.Count)
                {
                    BadRequest(envelope, "invalid", $"cannot acknowledge {count} event(s): {_unacked.Count} are unacknowledged");
                    break;
                }
                Acknowledge(count);
                Reply(envelope, PluginReplies.Acked(count));
                break;
            case RequestKind.Quit:
                var dropped = ReleaseAll();
                _state = PortState.Quit;
                _session.Tell(new PeerQuit(dropped));
                break;
            default:
                BadRequest(envelope, body.Count != 1 ? "multipart" : request.Reason!.StartsWith("unknown command", StringComparison.Ordinal) ? "unknown-command" : "invalid",
                    request.Reason!);
                break;
        }
    }

    private void BadRequest(Envelope envelope, string kind, string reason)
    {
        _metrics.BadRequest(Plugin, kind);
        _refusals.Log(kind, reason);
        Reply(envelope, PluginReplies.BadMsg(reason));
    }

    // The same peer's request acknowledges the previous reply (after a fast-mode fetch only a fetch or quit does; ack
    // acknowledges the count it names); another peer's request takes the session over.
    private void AcceptPeer(Envelope envelope, PluginRequest request)
    {
        if (_pending is { Held.Frames: var frames })
        {
            // A publication held until start-up, from a peer that is gone (its REQ socket would have waited).
            _metrics.Dropped("peer-replaced", frames.Count);
            _log.Warning("Plugin {0}: a new peer took over port {1} while a publication of {2} event(s) was held until start-up; it is dropped (counted, reason peer-replaced)",
                Plugin, Port, frames.Count);
        }
        CancelPending();
        if (_peer is not null && envelope.Identity.AsSpan().SequenceEqual(_peer))
        {
            if (!_unackedWantExplicitAck || request.Kind is RequestKind.NextMsg or RequestKind.NextBatch or RequestKind.Quit)
                Acknowledge(_unacked.Count);
            return;
        }
        if (_unacked.Count > 0)
        {
            _log.Info("Plugin {0}: a new peer took over port {1}; its {2} unacknowledged event(s) are handed out again first",
                Plugin, Port, _unacked.Count);
            _redeliver = new Queue<Delivery>(_unacked.Concat(_redeliver));
            _unacked.Clear();
        }
        _peer = envelope.Identity;
    }

    /// <summary>Hands out events to the held request if there are any; true when it replied.</summary>
    private bool Serve()
    {
        var pending = _pending!;
        while (true)
        {
            while (_unacked.Count < pending.Max && (_redeliver.TryDequeue(out var next) || _inbox.TryTake(out next)))
                if (Encoded(next)) _unacked.Add(next);
            if (_unacked.Count > 0) break;
            if (!_inbox.Arm()) return false;
        }
        _pending = null;
        _transport.StopTimer();
        _unackedWantExplicitAck = pending.ExplicitAck;
        if (!pending.Batch)
        {
            Reply(pending.Envelope, _unacked[0].Frame);
            return true;
        }
        var traceparents = pending.Traceparents ? PluginReplies.Traceparents(_unacked) : null;
        _reply.Clear();
        _reply.Add(traceparents is null ? PluginReplies.BatchHeader(_unacked.Count) : PluginReplies.TracedBatchHeader(_unacked.Count));
        foreach (var delivery in _unacked) _reply.Add(delivery.Frame);
        if (traceparents is not null) _reply.Add(traceparents);
        _transport.Reply(pending.Envelope, CollectionsMarshal.AsSpan(_reply));
        _reply.Clear();
        return true;
    }

    // Encodes the frame on this thread (at most once per delivery); an event its codec cannot encode is dropped.
    private bool Encoded(Delivery delivery)
    {
        try
        {
            _ = delivery.Frame;
            return true;
        }
        catch (Exception e)
        {
            _inbox.Release(delivery);
            _metrics.Dropped("unencodable");
            _log.Error(e, "Plugin {0}: dropped a {1} event its codec could not encode", Plugin, delivery.Type?.Name ?? "raw");
            return false;
        }
    }

    void IPortRequests.WaitTimedOut() => WaitTimedOut();

    private void WaitTimedOut()
    {
        _transport.StopTimer();
        if (_pending is not { WantsEvents: true } pending) return;
        _pending = null;
        _inbox.Disarm();
        Reply(pending.Envelope, pending.Batch ? PluginReplies.EmptyBatch : PluginReplies.Timeout);
    }

    // Start-up loses nothing: until the barrier has passed (every plugin subscribed), a publication is held.
    private void PublishWhenStarted(Envelope envelope, IReadOnlyList<byte[]> frames, byte[] reply, ActivityContext trace)
    {
        if (!_engineStarted)
        {
            _pending = new Pending(envelope, Batch: false, Max: 0, WantsEvents: false) { Held = new HeldPublication(frames, reply, trace) };
            return;
        }
        foreach (var frame in frames) _router.PublishFrame(frame, _inbox.OwnCredit, toWire: true, Plugin, trace);
        ReplyWhenRoom(envelope, reply);
    }

    private void EngineStarted()
    {
        _engineStarted = true;
        if (_pending is not { Held: var (frames, reply, trace) } pending) return;
        _pending = null;
        PublishWhenStarted(pending.Envelope, frames, reply, trace);
    }

    // Flow control: while the plugin's window is full, the reply (and so its next publication) waits; no thread does.
    private void ReplyWhenRoom(Envelope envelope, byte[] reply)
    {
        var credit = _inbox.OwnCredit;
        if (credit.HasRoom)
        {
            Reply(envelope, reply);
            return;
        }
        var pending = new Pending(envelope, Batch: false, Max: 0, WantsEvents: false);
        _pending = pending;
        _log.Debug("Plugin {0}: {1} of its events are still being handled; its publish reply waits for room", Plugin, credit.InFlight);
        credit.WhenRoom().ContinueWith(_ => _transport.Post(() =>
        {
            if (!ReferenceEquals(_pending, pending)) return;
            _pending = null;
            Reply(envelope, reply);
        }), TaskContinuationOptions.ExecuteSynchronously);
    }

    private void CancelPending()
    {
        _pending = null;
        _transport.StopTimer();
        _inbox.Disarm();
    }

    private void Acknowledge(int count)
    {
        for (var i = 0; i < count; i++) _inbox.Release(_unacked[i]);
        _unacked.RemoveRange(0, count);
    }

    private int ReleaseAll()
    {
        CancelPending();
        var released = _unacked.Count + _redeliver.Count;
        foreach (var delivery in _unacked) _inbox.Release(delivery);
        foreach (var delivery in _redeliver) _inbox.Release(delivery);
        _unacked.Clear();
        _redeliver.Clear();
        return released;
    }

    private void Reply(Envelope envelope, byte[] frame) => _transport.Reply(envelope, [frame]);

    void IPortRequests.ConnectionsChanged(int delta)
    {
        _connections = Math.Max(0, _connections + delta);
        _session.Tell(new PeerConnections(_connections));
    }

    public void Dispose() => _transport.Dispose();

    /// <summary>A request whose reply is held: events it waits for, or a publish reply waiting for room.</summary>
    private sealed record Pending(Envelope Envelope, bool Batch, int Max, bool WantsEvents)
    {
        /// <summary>The events this request gets wait for an explicit acknowledgement (a fast-mode fetch).</summary>
        public bool ExplicitAck { get; init; }

        /// <summary>The reply carries the events' traceparents (<c>next_batch ... traceparents</c>).</summary>
        public bool Traceparents { get; init; }

        /// <summary>A publication held until the engine has started.</summary>
        public HeldPublication? Held { get; init; }
    }

    /// <summary>A publication held until start-up: its frames, the reply it gets, the trace it continues (if any).</summary>
    private sealed record HeldPublication(IReadOnlyList<byte[]> Frames, byte[] Reply, ActivityContext Trace);
}
