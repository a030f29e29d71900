using System.Diagnostics;
using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// One async handler running for one delivery: its task, and the synchronization context its awaits resume on (so each
/// continuation brings the run back, and what the handler publishes counts against its delivery's source).
/// </summary>
/// <remarks>
/// A continuation posted while the run is in the actor (an await that resumed at once: <c>Task.Yield()</c>, a task
/// completed by the handler's own code) runs right after the current step instead of going round the mailbox, as
/// Akka's <c>ActorTaskScheduler</c> runs such tasks inline; the plugin takes no other message in between anyway.
/// At most <see cref="InlineBudget"/> in a row, so a handler that yields in a loop still lets the mailbox through.
/// </remarks>
internal sealed class HandlerRun : ActorSynchronizationContext
{
    /// <summary>Continuations run inline after one step before the next one goes through the mailbox.</summary>
    internal const int InlineBudget = 64;

    private Handler _handler = null!;
    private int _actorThread;
    private SendOrPostCallback? _inline;
    private object? _inlineState;
    private bool _mailboxUsed;
    private bool _watched;

    public HandlerRun(IActorRef self) : base(self) { }

    public Delivery Delivery { get; private set; } = null!;

    /// <summary>The run's handle span (null when not traced), ended with the run.</summary>
    public Activity? Span { get; private set; }

    /// <summary>The token source of the plugin instance that started the run (a restarted instance has another).</summary>
    public CancellationTokenSource Owner { get; private set; } = null!;

    public Task Task { get; private set; } = Task.CompletedTask;

    /// <summary>Set (in the actor) once the run's end has been taken into account.</summary>
    public bool Ended { get; set; }

    /// <summary>
    /// Nothing outside the plugin refers to this run any more, so it may carry the next delivery: it ended within its
    /// first step (no continuation message and no completion callback names it). One that waited is left to the GC.
    /// Code the handler started without awaiting it (fire and forget) may still hold the run as its context and post
    /// later: that continuation runs in the plugin like any other, counted against the delivery being handled then.
    /// </summary>
    public bool Reusable => Ended && !_watched;

    /// <summary>
    /// Makes this run the one of <paramref name="delivery"/>, before <see cref="Begin"/> (which sets <see cref="Task"/>).
    /// A run used again was <see cref="Reusable"/>: never watched, and its inline state was cleared by its last step.
    /// </summary>
    public void Reset(Delivery delivery, Activity? span, CancellationTokenSource owner, Handler handler)
    {
        Delivery = delivery;
        Span = span;
        Owner = owner;
        _handler = handler;
        Ended = false;
    }

    /// <summary>True on the actor's thread while it runs one of this run's steps.</summary>
    private bool InActor => Volatile.Read(ref _actorThread) == Environment.CurrentManagedThreadId;

    public override void Post(SendOrPostCallback callback, object? state)
    {
        if (InActor)
        {
            if (_inline is null && !_mailboxUsed)
            {
                (_inline, _inlineState) = (callback, state);
                return;
            }
            _mailboxUsed = true; // later continuations of this step follow it through the mailbox, keeping their order
        }
        base.Post(callback, state);
    }

    /// <summary>Starts the handler: the run's first step.</summary>
    public void Begin() => Step(static run => ((HandlerRun)run!).Invoke(), this);

    /// <summary>
    /// Runs one step in the actor (the handler's start, or a continuation from the mailbox), then what it posted meanwhile
    /// (up to <see cref="InlineBudget"/>). If the task is still running afterwards, its completion will be reported.
    /// </summary>
    public void Step(SendOrPostCallback callback, object? state)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        Volatile.Write(ref _actorThread, Environment.CurrentManagedThreadId);
        try
        {
            callback(state);
            for (var n = 0; n < InlineBudget && _inline is { } next; n++)
            {
                var nextState = _inlineState;
                (_inline, _inlineState) = (null, null);
                next(nextState);
            }
        }
        finally
        {
            Volatile.Write(ref _actorThread, 0);
            SetSynchronizationContext(previous);
            _mailboxUsed = false;
            if (_inline is { } left)
            {
                var leftState = _inlineState;
                (_inline, _inlineState) = (null, null);
                base.Post(left, leftState); // past the budget, or the step threw: through the mailbox
            }
        }
        if (!Task.IsCompleted && !_watched)
        {
            _watched = true;
            // Completed outside the actor (a task the handler returned without awaiting it here): the actor is told.
            Task.ContinueWith(static (_, run) => ((HandlerRun)run!).CompletedOutside(), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Invoke()
    {
        try
        {
            Task = _handler.InvokeAsync(Delivery.Event, Owner.Token);
        }
        catch (Exception e)
        {
            Task = Task.FromException(e);
        }
    }

    private void CompletedOutside()
    {
        if (!InActor) Self.Tell(new HandlerRunEnded(this), ActorRefs.NoSender);
    }
}

/// <summary>A run whose task completed outside the actor (the actor takes its end into account).</summary>
internal sealed record HandlerRunEnded(HandlerRun Run);

/// <summary>
/// A plugin's async handlers: at most max-concurrency run at once; further deliveries wait here in arrival order and
/// start as runs end. A run ends when its task completes (its delivery is settled then), usually inside the step
/// that completed it: an await that resumed at once costs no message, one that waited for I/O one (its continuation).
/// </summary>
internal sealed class AsyncHandlerRuns
{
    private readonly Queue<Delivery> _waiting = new();
    private readonly HashSet<HandlerRun> _running = new();
    private readonly int _maxConcurrency;

    // The last run that ended within its first step, taken by the next Start: a handler whose awaits resume at once
    // (Task.Yield, cached tasks) then costs no HandlerRun per event. Allocations are what an async event costs most
    // (the collections they cause stop every thread), and this is the half of them the engine controls.
    private HandlerRun? _spare;

    public AsyncHandlerRuns(int maxConcurrency) => _maxConcurrency = maxConcurrency;

    /// <summary>Runs in flight (of the current plugin instance).</summary>
    public int Running => _running.Count;

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

    /// <summary>Starts <paramref name="handler"/> for <paramref name="delivery"/>, its awaits resuming in <paramref name="self"/>.</summary>
    public HandlerRun Start(IActorRef self, Delivery delivery, Activity? span, CancellationTokenSource owner, Handler handler)
    {
        var run = _spare ?? new HandlerRun(self);
        _spare = null;
        run.Reset(delivery, span, owner, handler);
        _running.Add(run);
        run.Begin();
        return run;
    }

    /// <summary>
    /// Takes the end of <paramref name="run"/> into account once: settles its delivery and frees its slot. Returns the
    /// failure of a run of the current instance (poison), or null. Called in the plugin, its delivery's credit goes
    /// back with the plugin's <paramref name="held"/> credits.
    /// </summary>
    public Exception? End(HandlerRun run, CancellationTokenSource currentOwner, CreditReturns? held = null)
    {
        if (run.Ended || !run.Task.IsCompleted) return null;
        var failure = run.Task.Exception is { } aggregate ? aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException : aggregate : null;
        Close(run, failure, held);
        if (!ReferenceEquals(run.Owner, currentOwner)) return null; // a run of an instance that has since restarted
        _running.Remove(run);
        if (run.Reusable) _spare = run;
        return failure;
    }

    /// <summary>
    /// Settles the deliveries of the runs still in flight when the plugin stops: their ends would reach a stopped actor
    /// (dead letters), so their credits would never go back to their sources.
    /// </summary>
    public void SettleRunning()
    {
        foreach (var run in _running) Close(run, failure: null, held: null);
        _running.Clear();
    }

    /// <summary>A run's end, taken into account once: its delivery settled (into the plugin's held credits if given), its span ended.</summary>
    private static void Close(HandlerRun run, Exception? failure, CreditReturns? held)
    {
        run.Ended = true;
        if (held is null) run.Delivery.Settle();
        else run.Delivery.Settle(held);
        EngineTracing.EndDetached(run.Span, failure);
    }

    /// <summary>Hands the waiting deliveries back (the plugin restarts or stops).</summary>
    public IReadOnlyList<Delivery> TakeWaiting()
    {
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        return waiting;
    }
}
