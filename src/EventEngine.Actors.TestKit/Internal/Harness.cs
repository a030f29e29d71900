using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Everything a test engine shares between its <see cref="EngineUnderTest"/> and <see cref="PluginUnderTest"/>
/// views: the engine, the test subscriber and what it recorded, the injections, the plugins' refs and counters.
/// It is an engine component: its participant holds the start-up barrier until the plugins are registered and the
/// test releases it.
/// </summary>
internal sealed class Harness : IEngineComponent
{
    public const string ParticipantName = "EventEngine.TestKit";

    private readonly object _gate = new();
    private readonly List<PublishedEvent> _history = new();
    private readonly Queue<PublishedEvent> _queue = new();
    private readonly Dictionary<string, IActorRef> _refs = new();
    private readonly HashSet<string> _saidFinished = new();
    private readonly HashSet<string> _terminated = new();
    private readonly Dictionary<string, (string Why, Exception Cause)> _constructorFailures = new();
    private readonly bool _holdStart;
    private volatile bool _codecRoundTrip;
    private bool _subscribed;
    private bool _released;
    private EventEngine? _engine;
    private PluginCounters? _counters;
    private IActorRef _subscriber = ActorRefs.Nobody;
    private CreditWindow _credit = CreditWindow.Unbounded("testkit");

    public Harness(TestKitBase kit, bool holdStart, bool codecRoundTrip)
    {
        Kit = kit;
        _holdStart = holdStart;
        _codecRoundTrip = codecRoundTrip;
    }

    public TestKitBase Kit { get; }

    public EventEngine Engine => _engine ?? throw new InvalidOperationException("the test engine has not started");

    public IReadOnlyList<string> PluginNames { get; private set; } = [];

    public InjectionTracker Injections { get; } = new();

    public WireProbe Wire => _wire ??= CreateWire();

    private WireProbe? _wire;

    private WireProbe CreateWire()
    {
        if (!Engine.Settings.Wire.Enabled)
            throw new InvalidOperationException("this engine runs without a wire (event-engine.wire.enabled = off); start it with EngineTestOptions { Wire = true }");
        var wire = new WireProbe(this);
        Engine.System.WhenTerminated.ContinueWith(_ => wire.Dispose(), TaskScheduler.Default);
        return wire;
    }

    public bool CodecRoundTrip
    {
        get => _codecRoundTrip;
        set => _codecRoundTrip = value;
    }

    IReadOnlyCollection<string> IEngineComponent.ParticipantNames => [ParticipantName];

    /// <summary>Starts the engine in <paramref name="system"/> with this harness as a component. Does not wait.</summary>
    public void Launch(ActorSystem system, Action<EventEngineBuilder> configure, Config overrides)
    {
        EventEngine.StartWithOverrides(system, builder =>
        {
            configure(builder);
            PluginNames = builder.Plugins.Select(p => p.Name).ToArray();
            builder.AddComponent(this);
        }, overrides);
    }

    void IEngineComponent.Start(EventEngine engine)
    {
        _engine = engine;
        _credit = engine.NewCreditWindow("testkit");
        _counters = new PluginCounters(engine.Metrics.Meter, Changed);
        engine.PluginSaidFinished += name => Update(() => _saidFinished.Add(name));
        _subscriber = engine.System.ActorOf(Props.Create(() => new TestSubscriber(this)), "event-engine-testkit");
        engine.System.WhenTerminated.ContinueWith(_ => _counters.Dispose(), TaskScheduler.Default);
    }

    /// <summary>Props for a plugin type that remember why its constructor threw.</summary>
    public Props PropsFor(Type pluginType, string name, object[] args, IServiceProvider? services = null) =>
        Props.CreateBy(new RecordingProducer(name, pluginType, args, services, (why, e) => Update(() => _constructorFailures[name] = (why, e))));

    /// <summary>
    /// Waits until the test subscriber's subscription is active and every plugin has subscribed (the barrier holds
    /// them before their start hooks meanwhile), then releases the barrier unless the test holds it.
    /// </summary>
    public void WaitUntilRegistered(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (!Registered())
            {
                var failed = PluginNames.FirstOrDefault(n => _constructorFailures.ContainsKey(n) || Counter(PluginCounters.Stops, n) > 0);
                if (failed is not null)
                {
                    throw _constructorFailures.TryGetValue(failed, out var failure)
                        ? new EventExpectationException($"Plugin {failed} could not be created: {failure.Why}", failure.Cause)
                        : new EventExpectationException($"Plugin {failed} could not be started: its supervisor stopped it while it was being created (see the log).");
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    var missing = PluginNames.Where(n => !_refs.ContainsKey(n)).ToList();
                    throw new EventExpectationException(_subscribed
                        ? $"{string.Join(", ", missing)} did not subscribe within {Describe.Duration(timeout)} (is a constructor blocking?)."
                        : $"The test subscriber's subscription was not confirmed by the bridge within {Describe.Duration(timeout)}.");
                }
                // Table changes are not signalled: look again at short intervals (or at once on any other change).
                Monitor.Wait(_gate, remaining < TimeSpan.FromMilliseconds(10) ? remaining : TimeSpan.FromMilliseconds(10));
            }
            foreach (var (name, plugin) in _refs) _subscriber.Tell(new TestSubscriber.Watch(plugin, name));
        }
        if (!_holdStart) StartPlugins();
    }

    public void StartPlugins()
    {
        lock (_gate)
        {
            if (_released) return;
            _released = true;
        }
        _subscriber.Tell(TestSubscriber.Release.Instance);
    }

    /// <summary>Waits until the test subscriber has recorded every delivery sent to it before this call.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _subscriber.Tell(new TestSubscriber.Flush(flushed));
        return flushed.Task.Wait(timeout);
    }

    public IActorRef RefOf(string plugin)
    {
        lock (_gate) return _refs.GetValueOrDefault(plugin) ?? ActorRefs.Nobody;
    }

    /// <summary>The plugin's prefixes in the routing table now (empty once it has stopped).</summary>
    public IReadOnlyList<byte[]> PrefixesOf(string plugin)
    {
        var target = RefOf(plugin);
        foreach (var entry in Engine.Router.Table.Subscribers)
            if (entry.Subscriber.Equals(target)) return entry.Prefixes;
        return [];
    }

    public long Counter(string counter, string plugin) => _counters?.Get(counter, plugin) ?? 0;

    public bool SaidFinished(string plugin)
    {
        lock (_gate) return _saidFinished.Contains(plugin);
    }

    public bool Terminated(string plugin)
    {
        lock (_gate) return _terminated.Contains(plugin);
    }

    /// <summary>Waits (without polling) until <paramref name="condition"/> holds; false on timeout.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (!condition())
            {
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero) return false;
                Monitor.Wait(_gate, remaining);
            }
            return true;
        }
    }

    /// <summary>Publishes an event as if a plugin had: through its codec (checked) unless the round trip is off.</summary>
    public void Inject(EventType type, object @event, string what)
    {
        if (!_codecRoundTrip)
        {
            Injections.Add(@event);
            Engine.Router.Publish(type, @event, _credit);
            return;
        }
        byte[] frame;
        try
        {
            frame = type.EncodeFrame(@event);
        }
        catch (Exception e)
        {
            throw new EventExpectationException($"Cannot {what} {Describe.Event(@event)}: {type.Name}'s codec cannot encode it: {e.GetType().Name}: {e.Message}", e);
        }
        if (CodecCheck.RoundTrip(Engine.Events, type, @event, frame) is { } problem)
            throw new EventExpectationException(
                $"Cannot {what} {Describe.Event(@event)}: {problem}. (Events are sent through their codec, as between processes; set CodecRoundTrip = false to deliver the instance as it is.)");
        InjectFrame(frame);
    }

    public void InjectFrame(byte[] frame)
    {
        Injections.Add(frame);
        Engine.Router.PublishFrame(frame, _credit, toWire: true);
    }

    /// <summary>Completes when the injection window has room (flow control), at once unless the test floods the engine.</summary>
    public Task WhenInjectionRoom() => _credit.WhenRoom();

    /// <summary>The next recorded event, or null after <paramref name="timeout"/>.</summary>
    public PublishedEvent? Take(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (_queue.Count == 0)
            {
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero) return null;
                Monitor.Wait(_gate, remaining);
            }
            return _queue.Dequeue();
        }
    }

    public IReadOnlyList<PublishedEvent> History()
    {
        lock (_gate) return _history.ToArray();
    }

    /// <summary>The recorded events the test has already taken (expected).</summary>
    public IReadOnlyList<PublishedEvent> Consumed()
    {
        lock (_gate) return _history.Take(_history.Count - _queue.Count).ToArray();
    }

    internal void Record(Delivery delivery)
    {
        if (delivery.Type is null && delivery.Event is RawEvent raw && WireProbe.IsPing(raw.Frame))
        {
            _wire?.OnPing(raw.Frame);
            return;
        }
        var type = delivery.Type;
        string? problem = null;
        byte[] frame;
        try
        {
            frame = delivery.Frame;
        }
        catch (Exception e)
        {
            frame = [];
            problem = $"{type?.Name}'s codec cannot encode it: {e.GetType().Name}: {e.Message}";
        }
        if (problem is null && type is not null && _codecRoundTrip)
            problem = CodecCheck.RoundTrip(Engine.Events, type, delivery.Event, frame);
        var published = new PublishedEvent(delivery.Event, type, frame, problem);
        Update(() =>
        {
            _history.Add(published);
            _queue.Enqueue(published);
        });
    }

    internal void OnSubscribed() => Update(() => _subscribed = true);

    internal void OnTerminated(string plugin) => Update(() => _terminated.Add(plugin));

    private bool Registered()
    {
        if (!_subscribed) return false;
        if (_refs.Count == PluginNames.Count) return true;
        var supervisor = Engine.Supervisor.Path;
        foreach (var entry in Engine.Router.Table.Subscribers)
        {
            var path = entry.Subscriber.Path;
            if (path.Parent.Equals(supervisor) && PluginNames.Contains(path.Name)) _refs[path.Name] = entry.Subscriber;
        }
        return _refs.Count == PluginNames.Count;
    }

    private void Update(Action change)
    {
        lock (_gate)
        {
            change();
            Monitor.PulseAll(_gate);
        }
    }

    private void Changed() => Update(() => { });
}
