namespace EventEngine.Actors.FlowControl;

/// <summary>
/// The flow-control window of one source of events (a plugin, an external session, the bridge's inbound side).
/// Every delivery caused by the source (directly, or by handlers reacting to its events) takes one credit;
/// the subscriber returns it once it has handled the event. A source asks for room before producing more,
/// and is woken without blocking any thread when the deliveries in flight fall to the low-water mark.
/// Handlers never wait, so cycles between plugins cannot deadlock.
/// </summary>
internal sealed class CreditWindow
{
    private readonly int _high;
    private readonly int _low;
    private static readonly Task Never = new TaskCompletionSource().Task;
    private int _inFlight;
    private TaskCompletionSource? _waiter;
    private volatile bool _closed;

    /// <param name="source">Who produces through this window (a plugin's name, <c>host</c>, <c>wire</c>): logs and status name it.</param>
    /// <param name="highWaterMark">Deliveries in flight at which the source is paused.</param>
    /// <param name="lowWaterMark">Deliveries in flight at which a paused source resumes.</param>
    public CreditWindow(string source, int highWaterMark, int lowWaterMark)
    {
        Source = source;
        if (highWaterMark < 1) throw new ArgumentOutOfRangeException(nameof(highWaterMark), highWaterMark, "must be at least 1");
        _high = highWaterMark;
        _low = Math.Clamp(lowWaterMark, 0, highWaterMark - 1);
    }

    /// <summary>A window that never runs out (flow control turned off).</summary>
    public static CreditWindow Unbounded(string source) => new(source, int.MaxValue, int.MaxValue - 1);

    public string Source { get; }

    /// <summary>True while the source is paused: its window is full, or it waits to fall to the low-water mark.</summary>
    public bool IsPaused => !_closed && (!HasRoom || Volatile.Read(ref _waiter) is not null);

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool HasRoom => !_closed && Volatile.Read(ref _inFlight) < _high;

    public void Take(int count) => Interlocked.Add(ref _inFlight, count);

    /// <summary>
    /// The engine is stopping: the source takes no new work. From now on the window never has room (a paused source
    /// stays paused); deliveries already in flight still return their credit, so they can be drained.
    /// </summary>
    public void Close() => _closed = true;

    /// <summary>Gives back <paramref name="count"/> credits (see <see cref="CreditReturns"/> for subscribers that return them in batches).</summary>
    public void Return(int count = 1)
    {
        if (Interlocked.Add(ref _inFlight, -count) <= _low && Volatile.Read(ref _waiter) is not null)
            Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
    }

    /// <summary>Completes when the window has room again (at once when it has room now).</summary>
    public Task WhenRoom()
    {
        if (_closed) return Never;
        if (HasRoom) return Task.CompletedTask;
        var waiter = Volatile.Read(ref _waiter);
        if (waiter is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _waiter, fresh, null) ?? fresh;
        }
        // A Return may have fallen to the low mark between the check and the install: look again.
        if (Volatile.Read(ref _inFlight) <= _low) Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
        return waiter.Task;
    }
}
