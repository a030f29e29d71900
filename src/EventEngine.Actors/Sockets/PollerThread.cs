using Akka.Event;
using EventEngine.Actors.Diagnostics;
using NetMQ;

namespace EventEngine.Actors.Sockets;

/// <summary>
/// One NetMQPoller thread (the bridge's wire, the gateway's plugin ports) and the one way to run work on it:
/// <see cref="Post"/> queues an action through a <see cref="NetMQQueue{T}"/> (queued work waits for the thread to
/// start, unlike <c>NetMQPoller.Run</c>, which runs inline when the poller is not running). Every handler run here
/// goes through <see cref="Guard"/>: an exception is logged and counted (<c>event_engine.poller.failures</c>), the
/// thread and the process live on. Nothing run here may block.
/// </summary>
internal sealed class PollerThread : IDisposable
{
    private const int MaxWorkPerWakeUp = 1024;
    private readonly NetMQQueue<Action> _work = new();
    private readonly string _name;
    private readonly ILoggingAdapter _log;
    private readonly EngineMetrics? _metrics;
    private int _disposed;

    /// <param name="name">What the thread serves, for its log lines and failure count (<c>bridge</c>, <c>gateway</c>).</param>
    /// <param name="log">Where failures are logged.</param>
    /// <param name="metrics">Where failures are counted.</param>
    public PollerThread(string name, ILoggingAdapter log, EngineMetrics? metrics)
    {
        _name = name;
        _log = log;
        _metrics = metrics;
        Poller = [_work];
        _work.ReceiveReady += (_, _) => Guard("posted work", () =>
        {
            for (var i = 0; i < MaxWorkPerWakeUp && _work.TryDequeue(out var action, TimeSpan.Zero); i++)
                Guard("a posted action", action);
        });
    }

    public NetMQPoller Poller { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Runs <paramref name="action"/> on the poller thread. Thread-safe; ignored once disposed.</summary>
    public void Post(Action action)
    {
        if (IsDisposed) return;
        try
        {
            _work.Enqueue(action);
        }
        catch (Exception e) when (e is ObjectDisposedException or NetMQException)
        {
            // shutting down: the work is moot
        }
    }

    public void Start(string threadName) => Poller.RunAsync(threadName, true);

    /// <summary>Runs <paramref name="action"/>, logging and counting instead of throwing (the poller thread must survive).</summary>
    public void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _metrics?.PollerFailed(_name);
            _log.Error(e, "The {0}'s socket thread: {1} failed; carrying on", _name, what);
        }
    }

    /// <summary>Stops the thread (waiting for it to end). Sockets are disposed by their owners afterwards.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (Poller.IsRunning) Poller.Stop();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // not running
        }
    }

    public void Dispose()
    {
        Stop();
        Poller.Dispose();
        _work.Dispose();
    }
}
