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
/// while handling them): those are returned on arrival while fewer than <c>max-queue</c> events wait, because a
/// plugin paused by its own window could not acknowledge them, which would deadlock it. Above <c>max-queue</c> they
/// keep their credit until acknowledged, so a plugin that publishes to itself and stops reading is paused (and
/// reported) instead of growing its queue without limit.
/// </remarks>
internal sealed class SessionInbox
{
    private readonly ConcurrentQueue<Delivery> _queue = new();
    private Action _wake = static () => { };
    private readonly int _maxQueue;
    private int _armed;
    private int _ownCreditsHeld;

    public SessionInbox(CreditWindow ownCredit, int maxQueue)
    {
        OwnCredit = ownCredit;
        _maxQueue = maxQueue;
    }

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
        if (ReferenceEquals(delivery.Credit, OwnCredit))
        {
            if (_queue.Count < _maxQueue) delivery.Settle();
            else Interlocked.Increment(ref _ownCreditsHeld);
        }
        _queue.Enqueue(delivery);
        if (Volatile.Read(ref _armed) == 1 && Interlocked.Exchange(ref _armed, 0) == 1) _wake();
    }

    public bool TryTake(out Delivery delivery) => _queue.TryDequeue(out delivery!);

    /// <summary>Releases every queued delivery (the session has ended); returns how many, for the caller to count.</summary>
    public int ReleaseQueued()
    {
        var released = 0;
        for (; TryTake(out var delivery); released++) Release(delivery);
        return released;
    }

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
        if (!ReferenceEquals(delivery.Credit, OwnCredit) || TakeHeldOwnCredit()) delivery.Settle();
    }

    /// <summary>The sources whose credit the queued deliveries hold (a snapshot, for pause reports).</summary>
    public IReadOnlySet<CreditWindow> HeldSources()
    {
        var sources = new HashSet<CreditWindow>(ReferenceEqualityComparer.Instance);
        foreach (var delivery in _queue)
            if (!ReferenceEquals(delivery.Credit, OwnCredit) || Volatile.Read(ref _ownCreditsHeld) > 0) sources.Add(delivery.Credit);
        return sources;
    }

    // Own deliveries are interchangeable: any one acknowledged gives back one of the credits held above max-queue.
    private bool TakeHeldOwnCredit()
    {
        var held = Volatile.Read(ref _ownCreditsHeld);
        while (held > 0)
        {
            var seen = Interlocked.CompareExchange(ref _ownCreditsHeld, held - 1, held);
            if (seen == held) return true;
            held = seen;
        }
        return false;
    }
}
