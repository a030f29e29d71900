namespace EventEngine.Actors.FlowControl;

/// <summary>
/// The credits one subscriber has settled and not yet given back, so that a busy subscriber returns them in batches:
/// each return is an atomic update of a counter the window's publisher updates from another core, which costs more
/// than handling a small event. A batch goes back when it holds <see cref="BatchSize"/> credits, when a delivery of
/// another window is settled, and whenever the subscriber is about to wait for its next message
/// (<see cref="ReturnAll"/>), so a paused source only ever waits on subscribers that are busy. Held credits still
/// count as in flight: the window bounds memory as tightly as before; a handler's publications take the credits its
/// subscriber holds for the same window first (<see cref="Take"/>), so a relay neither touches the window's counter
/// per event nor inflates it. Used by one actor at a time.
/// </summary>
internal sealed class CreditReturns
{
    /// <summary>Credits held at most; far below any useful gap between the high- and low-water marks.</summary>
    public const int BatchSize = 64;

    private CreditWindow? _window;
    private int _held;

    /// <summary>True while settled credits wait to be returned.</summary>
    public bool Holding => _held > 0;

    /// <summary>One delivery counted against <paramref name="window"/> is done with.</summary>
    public void Add(CreditWindow window)
    {
        if (!ReferenceEquals(window, _window))
        {
            ReturnAll();
            _window = window;
        }
        if (++_held == BatchSize) ReturnAll();
    }

    /// <summary>
    /// Takes <paramref name="count"/> credits of <paramref name="window"/> for new deliveries (a handler publishing in
    /// reaction to an event of that window): first the credits held for it, which cancel out, then from the window.
    /// </summary>
    public void Take(CreditWindow window, int count)
    {
        if (ReferenceEquals(window, _window))
        {
            var reused = Math.Min(count, _held);
            _held -= reused;
            count -= reused;
        }
        if (count > 0) window.Take(count);
    }

    /// <summary>Gives every held credit back to its window.</summary>
    public void ReturnAll()
    {
        if (_held == 0) return;
        var held = _held;
        _held = 0;
        _window!.Return(held);
    }
}
