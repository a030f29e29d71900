using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// An external plugin's session as the routing table sees it. A <see cref="Delivery"/> goes straight into the session's
/// <see cref="SessionInbox"/> on the publisher's thread, the <see cref="QueuePolicy"/> applied there, instead of
/// through the session's mailbox: an event for a Python plugin then crosses one thread (the port's) instead of two, and
/// no thread-pool worker wakes (and spins) per event. Every other message, system messages included, goes to the
/// session actor. It has the session's path, so it equals the session's ref: watching it watches the session, and the
/// bridge, the dashboard and the TestKit see the session.
/// </summary>
/// <remarks>
/// Thread-safe: any number of publishers offer at once. Once <see cref="Close"/>d, a delivery is released and counted
/// as dropped with the reason it was closed for; one that raced the close is dropped by its own publisher, so nothing
/// stays queued behind a session that has ended.
/// </remarks>
internal sealed class SessionSubscriber : MinimalActorRef
{
    private readonly IInternalActorRef _session;
    private readonly SessionInbox _inbox;
    private readonly QueuePolicy _policy;
    private readonly EngineMetrics _metrics;
    private readonly ILoggingAdapter _log;
    private readonly string _plugin;
    private string? _closedFor;
    private int _warnedFull;

    public SessionSubscriber(IActorRef session, SessionInbox inbox, QueuePolicy policy, EngineMetrics metrics, ILoggingAdapter log, string plugin)
    {
        _session = (IInternalActorRef)session;
        _inbox = inbox;
        _policy = policy;
        _metrics = metrics;
        _log = log;
        _plugin = plugin;
    }

    public override ActorPath Path => _session.Path;

    public override IActorRefProvider Provider => _session.Provider;

    /// <summary>Why deliveries are no longer queued (<c>plugin-finished</c>, <c>engine-stopped</c>, ...), or null while they are.</summary>
    public string? ClosedFor => Volatile.Read(ref _closedFor);

    /// <summary>From now on every delivery is dropped and counted with <paramref name="reason"/> (the first reason stays).</summary>
    public void Close(string reason) => Interlocked.CompareExchange(ref _closedFor, reason, null);

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is Delivery delivery) Offer(delivery);
        else _session.Tell(message, sender);
    }

    public override void SendSystemMessage(ISystemMessage message) => _session.SendSystemMessage(message);

    /// <summary>Queues a delivery for the plugin, or drops it (counted) as the session's state and queue policy say.</summary>
    public void Offer(Delivery delivery)
    {
        if (ClosedFor is { } reason)
        {
            _inbox.Release(delivery);
            _metrics.Dropped(reason);
            return;
        }
        // The policy first: counting the inbox (ConcurrentQueue.Count) races the port's thread taking from it.
        if (_policy.OnFull != QueueOverflow.Backpressure && _inbox.Count >= _policy.MaxQueue)
        {
            QueueFull(delivery);
            return;
        }
        Enqueue(delivery);
    }

    // A close that came between the check above and the add: the session may have released the queue already, so
    // nothing added after it may stay.
    private void Enqueue(Delivery delivery)
    {
        _inbox.Add(delivery);
        if (ClosedFor is { } late && _inbox.ReleaseQueued() is var released and > 0) _metrics.Dropped(late, released);
    }

    private void QueueFull(Delivery delivery)
    {
        switch (_policy.OnFull)
        {
            case QueueOverflow.DropNewest:
                _inbox.Release(delivery);
                break;
            case QueueOverflow.DropOldest:
                var dropped = _inbox.TryTake(out var oldest);
                if (dropped) _inbox.Release(oldest);
                Enqueue(delivery);
                if (!dropped) return; // the port took them all meanwhile
                break;
            case QueueOverflow.DropAndFinish:
                _inbox.Release(delivery);
                _metrics.Dropped("queue-full");
                Close("queue-full");
                _session.Tell(QueueOverflowed.Instance, ActorRefs.NoSender);
                return;
        }
        _metrics.Dropped("queue-full");
        if (Interlocked.Exchange(ref _warnedFull, 1) == 0)
        {
            var newest = _policy.OnFull == QueueOverflow.DropNewest;
            _log.Warning("External plugin {0}: its queue is full ({1} events, max-queue); dropping the {2} event each time (on-queue-full = {3}), counted as dropped with reason queue-full",
                _plugin, _policy.MaxQueue, newest ? "newest" : "oldest", newest ? "drop-newest" : "drop-oldest");
        }
    }
}
