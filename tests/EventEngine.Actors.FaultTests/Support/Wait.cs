namespace EventEngine.Actors.FaultTests.Support;

internal static class Wait
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> (default 30 s).</summary>
    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) => Until(condition, () => what, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/>() after the timeout.</summary>
    public static async Task Until(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Long);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what()}");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Polls <paramref name="value"/> until it has not changed for <paramref name="quiet"/> (work still draining from
    /// connections that are gone: nothing signals its end); fails after <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public static async Task UntilStable(Func<long> value, string what, TimeSpan quiet, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Long);
        var last = value();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < quiet)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what} to settle (still changing: {last})");
            await Task.Delay(20);
            var now = value();
            if (now == last) continue;
            last = now;
            since = DateTime.UtcNow;
        }
    }
}
