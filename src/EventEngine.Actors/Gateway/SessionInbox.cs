using System.Collections.Concurrent;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// The hand-off between an external plugin's session actor (which receives its deliveries from the bridge) and
/// its port on the gateway's poller thread (which hands them out). The session fills it, the poller drains it;
/// the poller is woken only when it waits for events (a request is held), never per event.
/// </summary>
/// <remarks>
/// Credits: a delivery's credit is returned when the plugin acknowledges it (<see cref="Release"/>), except for
/// deliveries counted against the session's own window (its own events, or events internal plugins published
/// while handling them): those are returned on arrival, because a plugin paused by its own window could not
/// acknowledge them, which would deadlock it.
/// </remarks>
internal sealed class SessionInbox
{
    private readonly ConcurrentQueue<Delivery> _queue = new();
    private Action _wake = static () => { };
    private int _armed;

    public SessionInbox(CreditWindow ownCredit) => OwnCredit = ownCredit;

    /// <summary>The window of events the plugin publishes.</summary>
    public CreditWindow OwnCredit { get; }

    public bool IsEmpty => _queue.IsEmpty;

    /// <summary>Deliveries queued and not yet handed out (a snapshot, for diagnostics and tests).</summary>
    public int Count => _queue.Count;

    /// <summary>Sets what wakes the poller (called once, before any delivery).</summary>
    public void OnWake(Action wake) => _wake = wake;

    /// <summary>Queues a delivery (session thread); wakes the poller if it is waiting.</summary>
    public void Add(Delivery delivery)
    {
        if (ReferenceEquals(delivery.Credit, OwnCredit)) delivery.Settle();
        _queue.Enqueue(delivery);
        if (Volatile.Read(ref _armed) == 1 && Interlocked.Exchange(ref _armed, 0) == 1) _wake();
    }

    public bool TryTake(out Delivery delivery) => _queue.TryDequeue(out delivery!);

    /// <summary>
    /// The poller found nothing and will wait: asks to be woken by the next delivery. Returns true when a
    /// delivery arrived meanwhile (take again now instead of waiting).
    /// </summary>
    public bool Arm()
    {
        Interlocked.Exchange(ref _armed, 1);
        if (_queue.IsEmpty) return false;
        Interlocked.Exchange(ref _armed, 0);
        return true;
    }

    /// <summary>The poller no longer waits.</summary>
    public void Disarm() => Interlocked.Exchange(ref _armed, 0);

    /// <summary>The plugin acknowledged (or will never get) <paramref name="delivery"/>: returns its credit once.</summary>
    public void Release(Delivery delivery)
    {
        if (!ReferenceEquals(delivery.Credit, OwnCredit)) delivery.Settle();
    }
}
