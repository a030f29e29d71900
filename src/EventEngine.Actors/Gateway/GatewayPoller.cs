using Akka.Event;
using NetMQ;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// The gateway's one poller thread: every plugin port's socket, monitor and timer live on it, and every piece of
/// work that touches them is posted here (<see cref="Post"/>) through a <see cref="NetMQQueue{T}"/>.
/// Nothing run here may block; an exception is logged, never allowed to end the thread.
/// </summary>
internal sealed class GatewayPoller : IDisposable
{
    private const int MaxWorkPerWakeUp = 1024;
    private readonly NetMQQueue<Action> _work = new();
    private readonly ILoggingAdapter _log;
    private int _disposed;

    public GatewayPoller(ILoggingAdapter log)
    {
        _log = log;
        Poller = [_work];
        _work.ReceiveReady += (_, _) =>
        {
            for (var i = 0; i < MaxWorkPerWakeUp && _work.TryDequeue(out var action, TimeSpan.Zero); i++)
                Guard("a posted action", action);
        };
    }

    public NetMQPoller Poller { get; }

    /// <summary>Runs <paramref name="action"/> on the poller thread. Thread-safe; ignored once disposed.</summary>
    public void Post(Action action)
    {
        if (Volatile.Read(ref _disposed) == 1) return;
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

    /// <summary>Runs <paramref name="action"/>, logging instead of throwing (the poller thread must survive).</summary>
    public void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _log.Error(e, "Gateway: {0} failed; carrying on", what);
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
