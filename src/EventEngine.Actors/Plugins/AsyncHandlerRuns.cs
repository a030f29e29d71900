using System.Diagnostics;
using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Plugins;

/// <summary>One async handler running for one delivery: its task, and the context its awaits resume on.</summary>
internal sealed class HandlerRun
{
    private int _actorThread;

    public HandlerRun(Delivery delivery, Activity? span, CancellationTokenSource owner)
    {
        Delivery = delivery;
        Span = span;
        Owner = owner;
    }

    public Delivery Delivery { get; }

    /// <summary>The run's handle span (null when not traced), ended with the run.</summary>
    public Activity? Span { get; }

    /// <summary>The token source of the plugin instance that started the run (a restarted instance has another).</summary>
    public CancellationTokenSource Owner { get; }

    public Task Task { get; set; } = Task.CompletedTask;

    /// <summary>Set (in the actor) once the run's end has been taken into account.</summary>
    public bool Ended { get; set; }

    /// <summary>True on the actor's thread while it runs one of this run's continuations.</summary>
    public bool InActor => Volatile.Read(ref _actorThread) == Environment.CurrentManagedThreadId;

    public void EnterActor() => Volatile.Write(ref _actorThread, Environment.CurrentManagedThreadId);

    public void LeaveActor() => Volatile.Write(ref _actorThread, 0);
}

/// <summary>A run whose task completed outside the actor (the actor takes its end into account).</summary>
internal sealed record HandlerRunEnded(HandlerRun Run);

/// <summary>
/// A plugin's async handlers: at most max-concurrency run at once; further deliveries wait here in arrival order and
/// start as runs end. A run ends when its task completes (its delivery is settled then), usually inside the
/// continuation that completed it, so an await costs one message, not two.
/// </summary>
internal sealed class AsyncHandlerRuns
{
    private readonly Queue<Delivery> _waiting = new();
    private readonly int _maxConcurrency;

    public AsyncHandlerRuns(int maxConcurrency) => _maxConcurrency = maxConcurrency;

    /// <summary>Runs in flight (of the current plugin instance).</summary>
    public int Running { get; private set; }

    /// <summary>
    /// Akka's ReceiveAsync semantics (max-concurrency 1): while a handler runs, the plugin's other messages wait too.
    /// With more, they do not (a steady stream of events would hold them forever).
    /// </summary>
    public bool HoldsOtherMessages => Running > 0 && _maxConcurrency == 1;

    /// <summary>A delivery must wait: every slot is taken, or earlier deliveries wait already.</summary>
    public bool MustWait => Running >= _maxConcurrency || _waiting.Count > 0;

    public void Wait(Delivery delivery) => _waiting.Enqueue(delivery);

    /// <summary>The next waiting delivery, if a slot is free.</summary>
    public bool TryNext(out Delivery delivery)
    {
        if (Running < _maxConcurrency && _waiting.TryDequeue(out delivery!)) return true;
        delivery = null!;
        return false;
    }

    /// <summary>Starts <paramref name="invoke"/> for <paramref name="delivery"/>, its awaits resuming in <paramref name="self"/>.</summary>
    public HandlerRun Start(IActorRef self, Delivery delivery, Activity? span, CancellationTokenSource owner, Func<Task> invoke)
    {
        Running++;
        var run = new HandlerRun(delivery, span, owner);
        try
        {
            run.Task = new ActorSynchronizationContext(self, run).Run(invoke);
        }
        catch (Exception e)
        {
            run.Task = Task.FromException(e);
        }
        if (!run.Task.IsCompleted)
            run.Task.ContinueWith(_ =>
            {
                if (!run.InActor) self.Tell(new HandlerRunEnded(run), ActorRefs.NoSender);
            }, TaskContinuationOptions.ExecuteSynchronously);
        return run;
    }

    /// <summary>
    /// Takes the end of <paramref name="run"/> into account once: settles its delivery and frees its slot. Returns the
    /// failure of a run of the current instance (poison), or null.
    /// </summary>
    public Exception? End(HandlerRun run, CancellationTokenSource currentOwner)
    {
        if (run.Ended || !run.Task.IsCompleted) return null;
        run.Ended = true;
        run.Delivery.Settle();
        EngineTracing.EndDetached(run.Span);
        if (!ReferenceEquals(run.Owner, currentOwner)) return null; // a run of an instance that has since restarted
        Running--;
        return run.Task.Exception is { } failure ? failure.InnerExceptions.Count == 1 ? failure.InnerException : failure : null;
    }

    /// <summary>Hands the waiting deliveries back (the plugin restarts or stops).</summary>
    public IReadOnlyList<Delivery> TakeWaiting()
    {
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        return waiting;
    }
}
