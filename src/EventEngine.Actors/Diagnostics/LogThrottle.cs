namespace EventEngine.Actors.Diagnostics;

/// <summary>
/// Lets a repeated log line through at most once per <see cref="Interval"/> (the first at once) and counts the ones held
/// back meanwhile, so a misbehaving peer cannot flood the log. One thread at a time.
/// </summary>
internal sealed class LogThrottle
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private DateTime _lastLogged = DateTime.MinValue;
    private int _held;

    /// <summary>True when the line is to be logged now, with <paramref name="more"/> the text for the lines held back since
    /// the last one (<c>" (N more refused since the last such line)"</c>, or empty).</summary>
    public bool ShouldLog(out string more)
    {
        var now = DateTime.UtcNow;
        more = "";
        if (now - _lastLogged < Interval)
        {
            _held++;
            return false;
        }
        if (_held > 0) more = $" ({_held} more refused since the last such line)";
        _lastLogged = now;
        _held = 0;
        return true;
    }
}
