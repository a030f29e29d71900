namespace EventEngine.Actors.TestSupport;

/// <summary>Waits with a deadline: each one fails with a <see cref="TimeoutException"/> naming what it waited for.</summary>
public static class Wait
{
    /// <summary>The default deadline: generous, for a busy 2-core machine.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> (default <see cref="Long"/>).</summary>
    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) => Until(condition, () => what, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/>() after the timeout.</summary>
    public static async Task Until(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = Deadline.In(timeout ?? Long, what);
        while (!condition())
        {
            deadline.ThrowIfPassed();
            await Task.Delay(10);
        }
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> (an Ask, a query) until it holds; fails with <paramref name="what"/>() after the timeout.</summary>
    public static async Task Until(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = Deadline.In(timeout ?? Long, what);
        while (!await condition())
        {
            deadline.ThrowIfPassed();
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Polls <paramref name="value"/> until it has not changed for <paramref name="quiet"/> (work still draining from
    /// connections that are gone: nothing signals its end); fails after <paramref name="timeout"/> (default <see cref="Long"/>).
    /// </summary>
    public static async Task UntilStable(Func<long> value, string what, TimeSpan quiet, TimeSpan? timeout = null)
    {
        var last = value();
        var deadline = Deadline.In(timeout ?? Long, () => $"{what} to settle (still changing: {last})");
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < quiet)
        {
            deadline.ThrowIfPassed();
            await Task.Delay(20);
            var now = value();
            if (now == last) continue;
            last = now;
            since = DateTime.UtcNow;
        }
    }

    /// <summary>Awaits <paramref name="task"/>; fails naming <paramref name="what"/> if it has not completed within the timeout.</summary>
    public static async Task<T> For<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        await For((Task)task, what, timeout);
        return await task;
    }

    /// <summary>Awaits <paramref name="task"/>; fails naming <paramref name="what"/> if it has not completed within the timeout.</summary>
    public static async Task For(Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Long;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task) throw new TimeoutException($"timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
        await task;
    }
}

/// <summary>A point in time for a loop that must end: <see cref="ThrowIfPassed"/> fails naming what the loop waited for.</summary>
public readonly struct Deadline
{
    private readonly DateTime _at;
    private readonly TimeSpan _timeout;
    private readonly Func<string> _what;

    private Deadline(TimeSpan timeout, Func<string> what) => (_at, _timeout, _what) = (DateTime.UtcNow + timeout, timeout, what);

    public static Deadline In(TimeSpan timeout, Func<string> what) => new(timeout, what);

    public static Deadline In(TimeSpan timeout, string what) => new(timeout, () => what);

    public bool Passed => DateTime.UtcNow > _at;

    public void ThrowIfPassed()
    {
        if (Passed) throw new TimeoutException($"timed out after {_timeout.TotalSeconds:0.#} s waiting for {_what()}");
    }
}
