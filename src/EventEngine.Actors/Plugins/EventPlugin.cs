using System.Collections.Immutable;
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
/// <para>A handler that throws makes the supervisor restart the plugin: the event is dropped (counted as poison,
/// logged and published as a <see cref="PoisonEvent"/>), the mailbox and the subscriptions survive. The start hook runs once per plugin, not again after
/// a restart; override <see cref="ActorBase.PostRestart"/> (calling the base) to act on a restart.</para>
/// <para>Flow control: <see cref="PublishAsync{T}"/> completes when this plugin's window of deliveries in flight
/// has room; await it in loops that produce many events. The plugin keeps handling events while it awaits.
/// <see cref="Publish{T}"/> in a handler never waits: the deliveries count against the window of the source
/// whose event is being handled, so back-pressure follows chains of plugins to the original producer.</para>
/// </remarks>
public abstract class EventPlugin : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly PluginState _state;
    private readonly ActorSynchronizationContext _context;
    private readonly Dictionary<Type, Action<object>> _handlers = new();
    private readonly List<(byte[] Prefix, Action<RawEvent> Handler)> _rawHandlers = new();
    private readonly List<byte[]> _prefixes = new();
    private readonly HashSet<Type> _reportedUnhandled = new();
    private Delivery? _handling;
    private bool _registered;
    private bool _pausedAfterRestart;
    private ICancelable? _resumeAfterPause;

    /// <summary>Binds the plugin to the event engine of its ActorSystem.</summary>
    protected EventPlugin()
    {
        _engine = EventEngine.Of(Context.System);
        _state = _engine.PluginStateOf(Self);
        _context = new ActorSynchronizationContext(Self);
        Log = Context.GetLogger();
    }

    /// <summary>Stash used before the start hook and during a restart pause. Set by Akka.</summary>
    public IStash Stash { get; set; } = null!;

    /// <summary>Akka timers of this plugin (cancelled when it stops). Set by Akka.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The plugin's name (its actor name).</summary>
    protected string Name => Self.Path.Name;

    /// <summary>The plugin's logger (Akka logging).</summary>
    protected ILoggingAdapter Log { get; }

    /// <summary>The engine the plugin runs in.</summary>
    protected EventEngine Engine => _engine;

    /// <summary>Subscribes to events of type <typeparamref name="T"/> (zmq prefix semantics on its filter).</summary>
    protected void Subscribe<T>(Action<T> handler) where T : notnull
    {
        var type = _engine.Events.Get<T>();
        _handlers[typeof(T)] = e => handler((T)e);
        AddPrefix(type.Filter);
    }

    /// <summary>
    /// Subscribes to every frame starting with <paramref name="prefix"/> that no registered event type decodes
    /// (typed events matching the prefix go to typed handlers).
    /// </summary>
    protected void SubscribeRaw(string prefix, Action<RawEvent> handler)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(prefix);
        _rawHandlers.Add((bytes, handler));
        AddPrefix(bytes);
    }

    /// <summary>Publishes an event to every subscriber. Never blocks, never drops.</summary>
    protected void Publish<T>(T @event) where T : notnull =>
        _engine.Router.Publish(_engine.Events.Get<T>(), @event, _handling?.Credit ?? _state.Credit, Name);

    /// <summary>
    /// Publishes an event as a source and returns a task that completes when this plugin may produce more
    /// (at once unless flow control pauses it). Await it in producing loops; never blocks a thread.
    /// </summary>
    protected Task PublishAsync<T>(T @event) where T : notnull
    {
        _engine.Router.Publish(_engine.Events.Get<T>(), @event, _state.Credit, Name);
        return _state.Credit.WhenRoom();
    }

    /// <summary>Publishes a raw frame (filter included), decoded by the engine like a frame from outside.</summary>
    protected void PublishRaw(byte[] frame) =>
        _engine.Router.PublishFrame(frame, _handling?.Credit ?? _state.Credit, toWire: true, Name);

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
    protected override void PostStop() => _resumeAfterPause?.Cancel();

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
    }

    /// <inheritdoc />
    protected override bool AroundReceive(Receive receive, object message)
    {
        switch (message)
        {
            case Delivery when !_state.Started || _pausedAfterRestart:
                Stash.Stash();
                return true;
            case Delivery delivery:
                Handle(delivery);
                return true;
            case ActorSynchronizationContext.Continuation continuation:
                Guard("an async continuation", () => _context.Run(() => continuation.Callback(continuation.State)));
                return true;
            case SubscriptionsActive:
                if (!_state.Ready)
                {
                    _state.Ready = true;
                    Context.Parent.Tell(PluginReady.Instance);
                }
                return true;
            case StartPlugin:
                if (!_state.Started) RunStartHook();
                return true;
            case StartHookFailed failed:
                Guard("its start hook", () => throw failed.Cause);
                return true;
            case ResumeAfterPause:
                _pausedAfterRestart = false;
                _resumeAfterPause = null;
                Stash.UnstashAll();
                return true;
            default:
                var handled = false;
                Guard(message.GetType().Name, () => handled = base.AroundReceive(receive, message));
                return handled;
        }
    }

    private void Handle(Delivery delivery)
    {
        _handling = delivery;
        using var span = EngineTracing.StartHandle(delivery.TraceParent, delivery.Type?.Name ?? "raw", Name, _engine.Router.Node);
        try
        {
            Dispatch(delivery);
        }
        catch (Exception e)
        {
            _engine.OnPoison(Name, delivery, e);
            Log.Error(e, "Plugin {0} failed handling a {1} event; the event is dropped (poison) and the plugin restarts", Name, delivery.Type?.Name ?? "raw");
            throw;
        }
        finally
        {
            _handling = null;
            delivery.Credit.Return();
        }
    }

    // By the type it was published as (Publish<IAlarm>(new Fire()) reaches Subscribe<IAlarm>), else by its own type.
    private void Dispatch(Delivery delivery)
    {
        var @event = delivery.Event;
        if ((delivery.Type is { } type && _handlers.TryGetValue(type.ClrType, out var handler)) || _handlers.TryGetValue(@event.GetType(), out handler))
        {
            handler(@event);
            return;
        }
        if (@event is RawEvent raw)
        {
            foreach (var (prefix, rawHandler) in _rawHandlers)
            {
                if (!raw.Frame.AsSpan().StartsWith(prefix)) continue;
                rawHandler(raw);
                return;
            }
        }
        OnUnhandledEvent(@event);
    }

    private void RunStartHook()
    {
        _state.Started = true;
        Stash.UnstashAll();
        Guard("its start hook", () => _context.Run(() =>
        {
            var task = OnStartAsync();
            if (task.IsCompletedSuccessfully) return;
            var self = Self;
            task.ContinueWith(t =>
            {
                if (t.Exception is { } e) self.Tell(new StartHookFailed(e.InnerExceptions.Count == 1 ? e.InnerException! : e));
            }, TaskContinuationOptions.ExecuteSynchronously);
        }));
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
        _engine.Bridge.Tell(new Subscribe(Self, _state.Prefixes), Self);
    }

    private sealed class ResumeAfterPause
    {
        public static readonly ResumeAfterPause Instance = new();
    }
}
