using Akka.Event;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// Logs the requests one plugin's port refuses ("event-engine: bad msg: ..."), beside the counter: the first at once,
/// then at most one line per <see cref="Interval"/> with how many more were refused meanwhile, so a misbehaving
/// plugin cannot flood the log. Used on its port's thread only.
/// </summary>
internal sealed class RefusalLog
{
    public static readonly TimeSpan Interval = LogThrottle.Interval;
    private readonly string _plugin;
    private readonly ILoggingAdapter _log;
    private readonly LogThrottle _throttle = new();

    public RefusalLog(string plugin, ILoggingAdapter log)
    {
        _plugin = plugin;
        _log = log;
    }

    public void Log(string kind, string reason)
    {
        if (_throttle.ShouldLog(out var more))
            _log.Warning("Plugin {0}: refused a request ({1}): {2}{3}; counted in event_engine.gateway.bad_requests", _plugin, kind, reason, more);
    }
}
