using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// The base of every internal plugin: an Akka.NET <see cref="ReceiveActor"/> that declares its subscriptions
/// (typically in its constructor), publishes typed events, runs a start hook once every plugin of the engine
/// is ready, and says when it has finished. Plugins never see a socket.
/// </summary>
/// <remarks>
/// <para>Events that arrive before the start hook runs are stashed and handled right after it (in order).</para>
/// <para>Async handlers (<c>Subscribe&lt;T&gt;(async e =&gt; ...)</c>) have Akka's <c>ReceiveAsync</c> semantics: the
/// plugin takes its next message only when the handler's task has completed, and after every await the actor
/// context is valid (<see cref="Publish{T}"/>, <see cref="Finish"/>, <see cref="Timers"/>, <see cref="Log"/>,
/// <c>Sender</c>, <c>Self</c>). The event's flow-control credit is returned when the task completes, so
/// back-pressure covers the async work. Do not use <c>ConfigureAwait(false)</c> in plugin code.</para>
/// <para>A handler that throws (before or after an await) makes the supervisor restart the plugin: the event is
/// dropped (counted as poison, logged and published as a
/// <see cref="PoisonEvent"/>), the mailbox and the subscriptions survive. The start hook runs again
/// after a restart only if it had not completed (it failed or was still running); a hook that completed is not
/// run again. Override <see cref="ActorBase.PostRestart"/> (calling the base) to act on a restart.</para>
/// <para>Flow control: <see cref="PublishAsync{T}"/> completes when this plugin's window of deliveries in flight
/// has room; await it in loops that produce many events. The plugin keeps handling events while it awaits.
/// <see cref="Publish{T}"/> in a handler never waits: the deliveries count against the window of the source
/// whose event is being handled, so back-pressure follows chains of plugins to the original producer.</para>
/// <para>Batches: what a plugin publishes while it handles one message (an event, its start hook, a step of an async
/// handler) reaches other plugins as one mailbox message each, sent when that handling returns or every
/// <c>plugins.NAME.max-batch</c> events (64 by default; 1 sends each event as it is published). External plugins, host
/// subscriptions and the wire get each event at once. One publisher's events keep their order, but a plain
/// <c>Tell</c>, or an event published from another thread (a <c>Task.Run</c>, code after <c>ConfigureAwait(false)</c>),
/// may overtake events published before it in the same handling.</para>
/// </remarks>
public abstract class EventPlugin : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly PluginState _state;
    private readonly ActorSynchronizationContext _context;
    private readonly Handlers _handlers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<byte[]> _prefixes = new();
    private readonly HashSet<Type> _reportedUnhandled = new();
    private readonly AsyncHandlerRuns _runs;
    private readonly CreditReturns _returns = new();
    private readonly Outbox _outbox;
    private Delivery[]? _batchLeft;
    private int _receivingThread;
    private readonly ActorCell _cell;
    private readonly string _name;
    private Delivery? _handling;
    private bool _heldWhileRunning;
    private bool _registered;
    private bool _pausedAfterRestart;
    private bool _startHookRunning;
    private ICancelable? _resumeAfterPause;

    /// <summary>Binds the plugin to the event engine of its ActorSystem.</summary>
    protected EventPlugin()
    {
        _engine = EventEngine.Of(Context.System);
        _name = Self.Path.Name;
        _state = _engine.PluginStateOf(Self);
        _context = new ActorSynchronizationContext(Self);
        _runs = new AsyncHandlerRuns(_engine.Settings.MaxConcurrencyFor(Name));
        _outbox = new Outbox(_engine.Settings.MaxBatchFor(Name));
        _cell = (ActorCell)Context;
        Log = Context.GetLogger();
    }

    /// <summary>Stash used before the start hook and during a restart pause. Set by Akka.</summary>
    public IStash Stash { get; set; } = null!;

    /// <summary>Akka timers of this plugin (cancelled when it stops). Set by Akka.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The plugin's name (its actor name).</summary>
    protected string Name => _name; // read per event: Self would look the actor context up in thread-local storage

    /// <summary>The plugin's logger (Akka logging).</summary>
    protected ILoggingAdapter Log { get; }

    /// <summary>The engine the plugin runs in.</summary>
    protected EventEngine Engine => _engine;

    /// <summary>Subscribes to events of type <typeparamref name="T"/> (zmq prefix semantics on its filter).</summary>
    /// <exception cref="ArgumentException"><paramref name="handler"/> is an <c>async void</c> method: use the async overload.</exception>
    protected void Subscribe<T>(Action<T> handler) where T : notnull =>
        Subscribe<T>(Handler.Sync(handler, $"Plugin {Name}: Subscribe<{typeof(T).Name}>"));

    /// <summary>
    /// Subscribes an async handler to events of type <typeparamref name="T"/>: the plugin takes its next event when the
    /// task has completed (or, with <c>plugins.NAME.max-concurrency</c> above 1, when fewer than that many run).
    /// </summary>
    protected void Subscribe<T>(Func<T, Task> handler) where T : notnull =>
        Subscribe<T>(Handler.Async<T>((e, _) => handler(e)));

    /// <summary>As <see cref="Subscribe{T}(Func{T, Task})"/>; the token is cancelled when the plugin stops (shutdown included) or restarts.</summary>
    protected void Subscribe<T>(Func<T, CancellationToken, Task> handler) where T : notnull =>
        Subscribe<T>(Handler.Async(handler));

    /// <summary>
    /// Subscribes to every frame starting with <paramref name="prefix"/> that no registered event type decodes
    /// (typed events matching the prefix go to typed handlers).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="handler"/> is an <c>async void</c> method: use the async overload.</exception>
    protected void SubscribeRaw(string prefix, Action<RawEvent> handler) =>
        SubscribeRaw(prefix, Handler.Sync(handler, $"Plugin {Name}: SubscribeRaw(\"{prefix}\")"));

    /// <summary>As <see cref="SubscribeRaw(string, Action{RawEvent})"/> with an async handler (see <see cref="Subscribe{T}(Func{T, Task})"/>).</summary>
    protected void SubscribeRaw(string prefix, Func<RawEvent, CancellationToken, Task> handler) =>
        SubscribeRaw(prefix, Handler.Async(handler));

    /// <summary>Akka's <c>Receive</c>, refusing an <c>async void</c> handler (use <c>ReceiveAsync</c> for async code).</summary>
    /// <exception cref="ArgumentException"><paramref name="handler"/> is an <c>async void</c> method.</exception>
    protected new void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        Handler.RefuseAsyncVoid(handler, $"Plugin {Name}: Receive<{typeof(T).Name}> (use ReceiveAsync)");
        base.Receive(handler, shouldHandle);
    }

    /// <summary>Akka's <c>ReceiveAny</c>, refusing an <c>async void</c> handler (use <c>ReceiveAnyAsync</c> for async code).</summary>
    /// <exception cref="ArgumentException"><paramref name="handler"/> is an <c>async void</c> method.</exception>
    protected new void ReceiveAny(Action<object> handler)
    {
        Handler.RefuseAsyncVoid(handler, $"Plugin {Name}: ReceiveAny (use ReceiveAnyAsync)");
        base.ReceiveAny(handler);
    }

    private void Subscribe<T>(Handler handler) where T : notnull
    {
        var type = _engine.Events.Get<T>();
        _handlers.Add(typeof(T), handler);
        AddPrefix(type.Filter);
    }

    private void SubscribeRaw(string prefix, Handler handler)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(prefix);
        _handlers.AddRaw(bytes, handler);
        AddPrefix(bytes);
    }

    /// <summary>Publishes an event to every subscriber. Never blocks, never drops.</summary>
    protected void Publish<T>(T @event) where T : notnull
    {
        var own = OnOwnThread;
        _engine.Router.Publish(_engine.Events.Get<T>(), @event, _handling?.Credit ?? _state.Credit, Name, own ? _returns : null, own ? _outbox : null);
    }

    /// <summary>
    /// Publishes an event as a source and returns a task that completes when this plugin may produce more
    /// (at once unless flow control pauses it). Await it in producing loops; never blocks a thread.
    /// </summary>
    protected Task PublishAsync<T>(T @event) where T : notnull
    {
        _engine.Router.Publish(_engine.Events.Get<T>(), @event, _state.Credit, Name, outbox: OnOwnThread ? _outbox : null);
        return _state.Credit.WhenRoom();
    }

    /// <summary>Publishes a raw frame (filter included), decoded by the engine like a frame from outside.</summary>
    protected void PublishRaw(byte[] frame)
    {
        if (OnOwnThread) _outbox.Flush(); // a frame goes to its subscribers at once: what was published before goes first
        _engine.Router.PublishFrame(frame, _handling?.Credit ?? _state.Credit, toWire: true, Name);
    }

    /// <summary>Runs once, after every plugin of the engine is ready and its subscriptions are active.</summary>
    protected virtual void OnStart() { }

    /// <summary>
    /// The asynchronous start hook (the default calls <see cref="OnStart"/>). Awaits resume inside the actor,
    /// between its messages. An exception restarts the plugin like a failing handler.
    /// </summary>
    protected virtual Task OnStartAsync()
    {
        OnStart();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The start hook with a token cancelled when the plugin stops (shutdown included) or restarts; the default calls
    /// <see cref="OnStartAsync()"/>. Awaits resume inside the actor, between its messages. The plugin counts as
    /// started once the task has completed. If it throws or is cancelled, the plugin restarts (under the supervision
    /// limits, after <c>supervision.restart-pause</c>) and the hook runs again; once it has completed it never runs again.
    /// </summary>
    protected virtual Task OnStartAsync(CancellationToken cancellationToken) => OnStartAsync();

    /// <summary>Says the plugin has finished: it unsubscribes and stops. The engine ends when all plugins have.</summary>
    protected void Finish()
    {
        _state.Finished = true;
        _engine.Bridge.Tell(new Unsubscribe(Self));
        Context.Parent.Tell(PluginFinished.Instance);
        Context.Stop(Self);
    }

    /// <summary>Called for an event the plugin's prefixes matched but no handler takes. Logs once per type.</summary>
    protected virtual void OnUnhandledEvent(object @event)
    {
        if (_reportedUnhandled.Add(@event.GetType()))
            Log.Warning("Plugin {0} received a {1} through its subscriptions but has no handler for it; such events are ignored", Name, @event.GetType().Name);
    }

    /// <inheritdoc />
    protected override void PreStart() => Register();

    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object message)
    {
        _returns.ReturnAll();
        // What this instance took and will not handle goes back to the front of the mailbox, in order, for the new one.
        var left = TakeUnhandled();
        if (left.Count > 0)
        {
            Stash.Prepend(left.Select(d => new Envelope(d, ActorRefs.NoSender)));
            Stash.UnstashAll();
        }
        base.PreRestart(reason, message);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _returns.ReturnAll();
        _runs.SettleRunning();
        // What this instance took and will not handle goes where a stopped plugin's mail goes: dead letters, where the
        // bridge settles them.
        foreach (var delivery in TakeUnhandled()) Context.System.DeadLetters.Tell(delivery, Self);
        _resumeAfterPause?.Cancel();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>
    /// The deliveries this instance took and will not handle, in order: those waiting for an async handler's slot, then
    /// those of a batch after the one whose handler failed.
    /// </summary>
    private List<Delivery> TakeUnhandled()
    {
        var left = _runs.TakeWaiting().Concat(_batchLeft ?? []).ToList();
        _batchLeft = null;
        return left;
    }

    /// <inheritdoc />
    protected override void PostRestart(Exception reason)
    {
        _engine.Metrics.Restarted(Name);
        base.PostRestart(reason);
        var pause = _engine.Settings.Supervision.RestartPause;
        if (pause > TimeSpan.Zero)
        {
            _pausedAfterRestart = true;
            _resumeAfterPause = Context.System.Scheduler.ScheduleTellOnceCancelable(pause, Self, ResumeAfterPause.Instance, Self);
        }
        else
        {
            // Not here: a start hook that threw in PostRestart would count as a failure to create the plugin.
            Self.Tell(StartIfDue.Instance);
        }
    }

    /// <inheritdoc />
    protected override bool AroundReceive(Receive receive, object message)
    {
        _receivingThread = Environment.CurrentManagedThreadId;
        try
        {
            var handled = Dispatch(receive, message);
            // Before the plugin waits for mail: a source paused by flow control never waits on an idle plugin's credits.
            if (_returns.Holding && !_cell.HasMessages) _returns.ReturnAll();
            return handled;
        }
        finally
        {
            _outbox.Flush(); // also after a handler that threw: what it published before goes out, as it would have alone
            _receivingThread = 0;
        }
    }

    /// <summary>
    /// True when called from the plugin's own message handling; false from any other thread (code after
    /// <c>ConfigureAwait(false)</c>, a <c>Task.Run</c>): the held credits and the outbox are the actor's alone.
    /// </summary>
    private bool OnOwnThread => Volatile.Read(ref _receivingThread) == Environment.CurrentManagedThreadId;

    private bool Dispatch(Receive receive, object message)
    {
        switch (message)
        {
            case Delivery or DeliveryBatch when !_state.StartRequested || _pausedAfterRestart:
                Stash.Stash();
                return true;
            case DeliveryBatch batch:
                Handle(batch);
                return true;
            case Delivery delivery when _runs.MustWait:
                _runs.Wait(delivery);
                return true;
            case Delivery delivery:
                Handle(delivery);
                return true;
            case ActorSynchronizationContext.Continuation continuation:
                Continue(continuation);
                return true;
            case HandlerRunEnded ended:
                End(ended.Run);
                return true;
            case SubscriptionsActive:
                if (!_state.Ready)
                {
                    _state.Ready = true;
                    Context.Parent.Tell(PluginReady.Instance);
                }
                return true;
            case StartPlugin:
                _state.StartRequested = true;
                Start();
                return true;
            case StartIfDue:
                Start();
                return true;
            case StartHookEnded ended when ReferenceEquals(ended.Run, _stopping):
                _startHookRunning = false;
                if (ended.Failure is null) _state.StartHookCompleted = true;
                else StartHookFailed(ended.Failure);
                return true;
            case StartHookEnded:
                return true; // a hook run by an instance that has since restarted or stopped
            case ResumeAfterPause:
                _pausedAfterRestart = false;
                _resumeAfterPause = null;
                Start();
                return true;
            default:
                if (_runs.HoldsOtherMessages)
                {
                    // ReceiveAsync semantics: other messages wait until the async handlers have completed.
                    _heldWhileRunning = true;
                    Stash.Stash();
                    return true;
                }
                return ReceiveOther(receive, message);
        }
    }

    // These two are apart from AroundReceive: a lambda's captured variables would be allocated on every message it takes.
    private bool ReceiveOther(Receive receive, object message)
    {
        var handled = false;
        Guard(message.GetType().Name, () => handled = base.AroundReceive(receive, message));
        return handled;
    }

    private void StartHookFailed(Exception failure) => Guard("its start hook", () => throw failure);

    /// <summary>Handles a batch's deliveries as if each had come alone, until the plugin has finished.</summary>
    private void Handle(DeliveryBatch batch)
    {
        var deliveries = batch.Deliveries;
        for (var i = 0; i < deliveries.Length; i++)
        {
            if (_state.Finished)
            {
                // As for the mail of a stopped plugin: the bridge settles them from the dead letters.
                for (; i < deliveries.Length; i++) Context.System.DeadLetters.Tell(deliveries[i], Self);
                return;
            }
            if (_runs.MustWait)
            {
                _runs.Wait(deliveries[i]);
                continue;
            }
            try
            {
                Handle(deliveries[i]);
            }
            catch
            {
                _batchLeft = deliveries[(i + 1)..]; // the new instance handles them (PreRestart)
                throw;
            }
        }
    }

    private void Handle(Delivery delivery)
    {
        var handler = _handlers.For(delivery.Event, delivery.Type?.ClrType);
        var typeName = delivery.Type?.Name ?? "raw";
        if (handler is { IsAsync: true })
        {
            _handling = delivery;
            // The handle span is current while the handler starts, so its awaits carry it; it ends with the run.
            var outer = delivery.TraceParent is null ? null : Activity.Current;
            var runSpan = EngineTracing.StartHandle(delivery.TraceParent, typeName, Name, _engine.Router.Node);
            HandlerRun run;
            try
            {
                run = _runs.Start(Self, delivery, runSpan, _stopping, handler);
            }
            finally
            {
                _handling = null;
                if (runSpan is not null) Activity.Current = outer;
            }
            // Only this run's end: End's loop starts the waiting deliveries (a recursion here would go as deep as they are many).
            TakeEnd(run);
            return;
        }
        _handling = delivery;
        using var span = EngineTracing.StartHandle(delivery.TraceParent, typeName, Name, _engine.Router.Node);
        try
        {
            if (handler is null) OnUnhandledEvent(delivery.Event);
            else handler.Invoke(delivery.Event);
        }
        catch (Exception e)
        {
            EngineTracing.Failed(span, e);
            Poison(delivery, e);
            throw;
        }
        finally
        {
            _handling = null;
            delivery.Settle(_returns);
        }
    }

    private void Continue(ActorSynchronizationContext.Continuation continuation)
    {
        if (continuation.Context is not HandlerRun run)
        {
            Guard("an async continuation", continuation.Run);
            return;
        }
        _handling = run.Delivery;
        try
        {
            run.Step(continuation.Callback, continuation.State);
        }
        catch (Exception e)
        {
            Log.Error(e, "Plugin {0} failed in an async continuation; it restarts", Name);
            throw;
        }
        finally
        {
            _handling = null;
        }
        End(run);
    }

    /// <summary>Takes a completed run's end into account (poison if it failed), then starts what waited for its slot.</summary>
    private void End(HandlerRun run)
    {
        if (!TakeEnd(run)) return;
        while (_runs.TryNext(out var next)) Handle(next);
        if (_runs.Running == 0 && _heldWhileRunning)
        {
            _heldWhileRunning = false;
            Stash.UnstashAll();
        }
    }

    /// <summary>Takes the end of <paramref name="run"/> into account if it has completed; throws its failure (poison).</summary>
    private bool TakeEnd(HandlerRun run)
    {
        if (_runs.End(run, _stopping, _returns) is { } failure)
        {
            Poison(run.Delivery, failure);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return run.Ended;
    }

    private void Poison(Delivery delivery, Exception e)
    {
        _outbox.Flush(); // what the handler published before it threw goes out before the poison event
        _engine.OnPoison(Name, delivery, e);
        Log.Error(e, "Plugin {0} failed handling a {1} event; the event is dropped (poison) and the plugin restarts", Name, delivery.Type?.Name ?? "raw");
    }

    /// <summary>
    /// The one place a plugin starts, and starts again after a restart: once the start-up barrier has passed and no
    /// restart pause holds it, its stashed events go back to its mailbox and its start hook runs, unless the hook has
    /// completed or is running in this instance. A start request that arrives during a restart pause waits for its end.
    /// </summary>
    private void Start()
    {
        if (!_state.StartRequested || _pausedAfterRestart) return;
        Stash.UnstashAll();
        if (!_state.StartHookCompleted && !_startHookRunning) RunStartHook();
    }

    /// <summary>Runs the start hook; its end (completed or failed) comes back as <see cref="StartHookEnded"/>.</summary>
    private void RunStartHook()
    {
        var run = _stopping;
        var self = Self;
        Task task;
        try
        {
            task = _context.Run(() => OnStartAsync(run.Token));
        }
        catch (Exception e)
        {
            task = Task.FromException(e);
        }
        if (task.IsCompletedSuccessfully)
        {
            _state.StartHookCompleted = true;
            return;
        }
        _startHookRunning = true;
        task.ContinueWith(t => self.Tell(new StartHookEnded(run, t.IsCanceled ? new TaskCanceledException(t) : t.Exception?.InnerExceptions.Count == 1 ? t.Exception.InnerException : t.Exception)),
                TaskContinuationOptions.ExecuteSynchronously);
    }

    private void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Log.Error(e, "Plugin {0} failed in {1}; it restarts", Name, what);
            throw;
        }
    }

    private void AddPrefix(byte[] prefix)
    {
        if (_prefixes.Any(p => p.AsSpan().SequenceEqual(prefix))) return;
        _prefixes.Add(prefix);
        if (_registered) Register();
    }

    private void Register()
    {
        _registered = true;
        var prefixes = _state.Prefixes;
        if (_state.Ready && prefixes.Length == _prefixes.Count && prefixes.All(p => _prefixes.Any(q => q.AsSpan().SequenceEqual(p)))) return;
        _state.Prefixes = [.. _prefixes];
        _engine.Bridge.Tell(new Subscribe(Self, _state.Prefixes, TakesBatches: true), Self);
    }

    private sealed class ResumeAfterPause
    {
        public static readonly ResumeAfterPause Instance = new();
    }

    private sealed class StartIfDue
    {
        public static readonly StartIfDue Instance = new();
    }

    /// <summary>A start hook run by the instance whose token source is <paramref name="Run"/> has ended.</summary>
    private sealed record StartHookEnded(CancellationTokenSource Run, Exception? Failure);
}
