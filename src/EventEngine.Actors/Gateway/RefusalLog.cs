using Akka.Event;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// Logs the requests one plugin's port refuses ("event-engine: bad msg: ..."), beside the counter: the first at once,
/// then at most one line per <see cref="Interval"/> with how many more were refused meanwhile, so a misbehaving
/// plugin cannot flood the log. Used on the gateway's poller thread only.
/// </summary>
internal sealed class RefusalLog
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly string _plugin;
    private readonly ILoggingAdapter _log;
    private DateTime _lastLogged = DateTime.MinValue;
    private int _unlogged;

    public RefusalLog(string plugin, ILoggingAdapter log)
    {
        _plugin = plugin;
        _log = log;
    }

    public void Log(string kind, string reason)
    {
        var now = DateTime.UtcNow;
        if (now - _lastLogged < Interval)
        {
            _unlogged++;
            return;
        }
        var more = _unlogged == 0 ? "" : $" ({_unlogged} more refused since the last such line)";
        _log.Warning("Plugin {0}: refused a request ({1}): {2}{3}; counted in event_engine.gateway.bad_requests", _plugin, kind, reason, more);
        _lastLogged = now;
        _unlogged = 0;
    }
}
