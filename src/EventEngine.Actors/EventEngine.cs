using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Lifecycle;
using EventEngine.Actors.HostAccess;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Security;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors;

/// <summary>
/// One event engine, hosted by an <see cref="ActorSystem"/> as an Akka extension (one engine per system; several
/// systems may run in one process). Start it with <see cref="Start"/> (or <c>WithEventEngine</c> in Akka.Hosting,
/// which also registers it, <see cref="IEventPublisher"/> and <see cref="IEventSubscriber"/> in the host's services).
/// </summary>
public sealed class EventEngine : IExtension
{
    private static int _instances;

    private readonly ConcurrentDictionary<string, PluginState> _pluginStates = new();
    private readonly ConcurrentQueue<CreditWindow> _sources = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _pluginsCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _localParticipantsReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CreditWindow _hostCredit;
    private IActorRef _guardian = ActorRefs.Nobody;
    private int _stopping;

    private EventEngine(ActorSystem system, EngineSettings settings, string name, EngineMetrics metrics)
    {
        System = system;
        Settings = settings;
        Name = name;
        Metrics = metrics;
        Events = new EventRegistry();
        Router = new EventRouter(Events, Metrics, Logging.GetLogger(system, "EventEngine.Router")) { Node = system.Name };
        Metrics.ObservePausedSources(() => _sources.Count(s => s.IsPaused));
        _hostCredit = NewCreditWindow("host");
        var endpoints = new HostEndpoints(this, _hostCredit);
        Publisher = endpoints;
        Subscriber = endpoints;
    }

    /// <summary>The reference configuration (hocon/event-engine.conf), the fallback of every engine's settings.</summary>
    public static Config ReferenceConfig { get; } = LoadReferenceConfig();

    /// <summary>The engine's unique name in this process (also in its inproc addresses and metric tags).</summary>
    public string Name { get; }

    /// <summary>The hosting actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The settings read from <c>event-engine</c>.</summary>
    public EngineSettings Settings { get; }

    /// <summary>The engine's event types.</summary>
    public EventRegistry Events { get; }

    /// <summary>The engine's counters.</summary>
    public EngineMetrics Metrics { get; }

    /// <summary>The bound TCP publish port (XSUB), or 0 without a wire.</summary>
    public int PublishPort { get; private set; }

    /// <summary>The bound TCP subscribe port (XPUB), or 0 without a wire.</summary>
    public int SubscribePort { get; private set; }

    /// <summary>Completes once the start-up barrier has passed and start hooks are running.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes once every plugin (internal and external) has finished.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Publishes from host code with flow control (shares the host's window with <see cref="Publish{T}"/>).</summary>
    public IEventPublisher Publisher { get; }

    /// <summary>Subscribes host code to events, inside flow control.</summary>
    public IEventSubscriber Subscriber { get; }

    internal EventRouter Router { get; }

    internal IActorRef Bridge { get; private set; } = ActorRefs.Nobody;

    internal IActorRef Supervisor { get; private set; } = ActorRefs.Nobody;

    /// <summary>True once CoordinatedShutdown has begun stopping the engine (or its start failed).</summary>
    internal bool IsStopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>Raised once when the engine stops taking new work (CoordinatedShutdown's service-unbind phase).</summary>
    internal event Action? StoppingStarted;

    /// <summary>Starts an engine in <paramref name="system"/> with the plugins <paramref name="configure"/> declares.</summary>
    /// <exception cref="EventEngineException">Bad settings, a port that cannot be bound, or a second engine in the system.</exception>
    public static EventEngine Start(ActorSystem system, Action<EventEngineBuilder> configure) => StartWithOverrides(system, configure, null);

    /// <summary>
    /// TestKit hook: starts an engine whose settings are read from <paramref name="settingsOverrides"/> layered over
    /// the system's configuration (so a test engine can turn the wire off in any TestKit's actor system).
    /// </summary>
    internal static EventEngine StartWithOverrides(ActorSystem system, Action<EventEngineBuilder> configure, Config? settingsOverrides)
    {
        var (engine, wireBinding) = Create(system, settingsOverrides);
        lock (system)
        {
            EventEngineBuilder builder;
            try
            {
                if (system.HasExtension<EventEngine>())
                    throw new EventEngineException($"actor system '{system.Name}' already hosts an event engine; use one system per engine");
                engine.CreateGuardian();
                builder = new EventEngineBuilder(system, ServicesOf(system));
                configure(builder);
                if (system.Settings.Setup.Get<EngineComponentSetup>() is { HasValue: true } setup)
                    foreach (var component in setup.Value.Components) builder.AddComponent(component);
                // What can fail for bad configuration or a busy port fails here, before the engine is registered: a failed
                // start leaves the system free for another engine.
                ConfiguredPlugins.AddTo(builder, engine.Settings.Section); // plugins declared in HOCON
                Gateway.GatewayComponent.AddConfigured(builder, engine.Settings); // external plugins registered in HOCON
                if (builder.SingletonPlugins.Count > 0 && !builder.Components.Any(c => c.RunsSingletonPlugins))
                    throw new EventEngineException(
                        $"singleton plugin(s) {string.Join(", ", builder.SingletonPlugins.Select(p => p.Name))} need the cluster: add AddCluster() " +
                        "(EventEngine.Actors.Cluster) to the engine, or WithEventEngineCluster(...) under Akka.Hosting");
                engine.RegisterEvents(builder);
                // The bridge owns the wire from its creation on: its PostStop disposes it (until then the catch below does).
                engine.Bridge = engine.Spawn(Props.Create<ZmqBridge>(engine, wireBinding), "event-engine-bridge");
                wireBinding.GetAwaiter().GetResult(); // a bind that failed throws here
            }
            catch
            {
                DisposeUnowned(wireBinding);
                engine.StopGuardian();
                throw;
            }
            system.RegisterExtension(new ExtensionId(engine)); // before the plugins exist: their constructors look it up
            try
            {
                engine.Run(builder, wireBinding.Result);
            }
            catch
            {
                engine.Stop(); // the bridge stops with the guardian and disposes the wire
                throw;
            }
        }
        return engine;
    }

    /// <summary>
    /// Reads the settings into a new engine and starts its wire (see <see cref="BindWire"/>). The two largest parts of a
    /// start-up need little of the rest, so they run beside it: the wire on a thread of its own from here on (NetMQ's
    /// first context and sockets, which need no settings, then the binds, once the settings are read), and Akka's first
    /// actor (the guardian, whose message handlers Akka compiles) on the dispatcher; the bridge is made before the bind
    /// has ended. The wire is awaited before any plugin exists, so a busy port still fails the start with nothing of the
    /// user's created.
    /// </summary>
    private static (EventEngine Engine, Task<WireLink?> WireBinding) Create(ActorSystem system, Config? settingsOverrides)
    {
        InjectReferenceConfig(system);
        var config = settingsOverrides is null ? system.Settings.Config : settingsOverrides.WithFallback(system.Settings.Config);
        var name = $"{system.Name}-{Interlocked.Increment(ref _instances)}";
        var metrics = new EngineMetrics(name);
        var engineMade = new TaskCompletionSource<EventEngine?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var wireBinding = WireWanted(config)
            ? Task.Factory.StartNew(() => BindWire(system, name, metrics, engineMade.Task), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.FromResult<WireLink?>(null);
        EventEngine engine;
        try
        {
            engine = new EventEngine(system, EngineSettings.From(config), name, metrics);
        }
        catch
        {
            engineMade.SetResult(null);
            DisposeUnowned(wireBinding);
            metrics.Dispose();
            throw;
        }
        engineMade.SetResult(engine);
        return (engine, wireBinding);
    }

    /// <summary>
    /// Disposes the wire of a start that failed before the engine was registered, waiting for a bind still running and
    /// then for its ports to come free (the bridge, if it was made, disposes it too when the guardian stops: once is
    /// enough, the second does nothing).
    /// </summary>
    private static void DisposeUnowned(Task<WireLink?> wireBinding)
    {
        try
        {
            wireBinding.GetAwaiter().GetResult()?.DisposeAndReleasePorts(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // the bind itself failed (its error is the start's, or comes second to it): nothing was left bound
        }
    }

    /// <summary>The engine hosted by <paramref name="system"/>.</summary>
    /// <exception cref="EventEngineException">The system hosts no engine.</exception>
    public static EventEngine Of(ActorSystem system)
    {
        if (system.HasExtension<EventEngine>()) return system.GetExtension<EventEngine>();
        throw new EventEngineException(
            $"actor system '{system.Name}' hosts no event engine: plugins are created by the engine (AddPlugin), not with ActorOf");
    }

    /// <summary>Publishes an event from outside any plugin (host code, tests). Never blocks.</summary>
    public void Publish<T>(T @event) where T : notnull => Router.Publish(Events.Get<T>(), @event, _hostCredit);

    /// <summary>Publishes an event from outside any plugin; completes when the host may publish more.</summary>
    public Task PublishAsync<T>(T @event) where T : notnull
    {
        Publish(@event);
        return _hostCredit.WhenRoom();
    }

    /// <summary>
    /// A snapshot of the engine's health: its state, the sources flow control has paused and which external plugins'
    /// queues hold their events, and every external plugin's connection and queue depth. Thread-safe.
    /// </summary>
    public EngineStatus Status()
    {
        var state = System.WhenTerminated.IsCompleted ? EngineState.Stopped
            : CoordinatedShutdown.Get(System).ShutdownReason is not null ? EngineState.Stopping
            : _started.Task.IsCompleted ? EngineState.Running
            : EngineState.Starting;
        var sessions = Metrics.Sessions.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var paused = _sources.Where(s => s.IsPaused).ToList();
        var heldBy = paused.Count == 0 ? [] : sessions.Select(s => (s.Key, Held: s.Value.Inbox.HeldSources())).ToList();
        return new EngineStatus(
            state,
            [.. paused.Select(source => new PausedSource(source.Source, source.InFlight,
                [.. heldBy.Where(h => h.Held.Contains(source)).Select(h => h.Key)]))],
            [.. sessions.Select(s => new ExternalPluginStatus(s.Key, s.Value.Connection, s.Value.Inbox.Count))]);
    }

    /// <summary>
    /// A plugin's handler threw on <paramref name="delivery"/>: counts it and publishes a <see cref="PoisonEvent"/>
    /// (in the failed event's flow-control chain), unless the failed event was itself a poison event.
    /// </summary>
    internal void OnPoison(string plugin, Delivery delivery, Exception cause)
    {
        var type = delivery.Type?.Name ?? "raw";
        Metrics.Poison(plugin, type);
        Metrics.Dropped("poison");
        if (delivery.Event is PoisonEvent) return;
        byte[]? frame;
        try
        {
            frame = delivery.Frame;
        }
        catch (Exception)
        {
            frame = null; // its codec cannot encode it: the poison event says what it can
        }
        Router.Publish(Events.Get<PoisonEvent>(),
            new PoisonEvent(plugin, type, cause.GetType().FullName ?? cause.GetType().Name, cause.Message, frame, DateTimeOffset.UtcNow), delivery.Credit);
    }

    /// <summary>Deliveries not yet handled by their subscribers, over every source.</summary>
    internal long InFlight() => _sources.Sum(s => (long)s.InFlight);

    /// <summary>Stops taking new work: every source's window closes, the gateway stops serving (see EngineShutdown).</summary>
    internal void BeginStopping()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1) return;
        foreach (var source in _sources) source.Close();
        StoppingStarted?.Invoke();
    }

    /// <summary>Creates an infrastructure actor under the engine's system actor (see <see cref="EngineGuardian"/>).</summary>
    internal IActorRef Spawn(Props props, string name) =>
        _guardian.Ask<IActorRef>(new EngineGuardian.Spawn(props, name), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

    /// <summary>The sources paused by flow control right now (cheap; for pause reports).</summary>
    internal IEnumerable<CreditWindow> PausedSources() => _sources.Where(s => s.IsPaused);

    /// <summary>A flow-control window for the source <paramref name="source"/>, visible in <see cref="Status"/> and the paused-sources gauge.</summary>
    internal CreditWindow NewCreditWindow(string source)
    {
        var window = Settings.FlowControl.Enabled
            ? new CreditWindow(source, Settings.FlowControl.HighWaterMark, Settings.FlowControl.LowWaterMark)
            : CreditWindow.Unbounded(source);
        _sources.Enqueue(window);
        return window;
    }

    /// <summary>Every internal plugin's state, by actor path (the dashboard's view of plugins).</summary>
    internal IEnumerable<KeyValuePair<string, PluginState>> PluginStates => _pluginStates;

    /// <summary>The window of events host code publishes (<see cref="Publish{T}"/>, <see cref="Publisher"/>).</summary>
    internal CreditWindow HostCredit => _hostCredit;

    internal PluginState PluginStateOf(IActorRef plugin) =>
        _pluginStates.GetOrAdd(plugin.Path.ToStringWithoutAddress(), _ => new PluginState(NewCreditWindow(plugin.Path.Name)));

    /// <summary>Forgets a plugin that has stopped for good here (a singleton that moved to another node): a later instance starts afresh.</summary>
    internal void ForgetPlugin(IActorRef plugin) => _pluginStates.TryRemove(plugin.Path.ToStringWithoutAddress(), out _);

    /// <summary>The plugins that run once in the cluster (started by the component that runs them).</summary>
    internal IReadOnlyList<PluginRegistration> SingletonPlugins { get; private set; } = [];

    /// <summary>TestKit hook: raised on the supervisor's thread when a plugin says it has finished (its name).</summary>
    internal event Action<string>? PluginSaidFinished;

    internal void OnPluginFinished(string plugin) => PluginSaidFinished?.Invoke(plugin);

    internal void OnStarted() => _started.TrySetResult();

    /// <summary>
    /// Completes once every internal plugin has been created (or given up on by the start-up barrier), so the event
    /// types their constructors declare are registered: external plugins' subscriptions by type name resolve then.
    /// </summary>
    internal Task PluginsCreated => _pluginsCreated.Task;

    internal void OnPluginsCreated() => _pluginsCreated.TrySetResult();

    /// <summary>
    /// Completes once every participant of the start-up barrier but the late ones (see
    /// <see cref="IEngineComponent.LateParticipantNames"/>) is ready: this node's subscriptions are all active.
    /// </summary>
    internal Task LocalParticipantsReady => _localParticipantsReady.Task;

    internal void OnLocalParticipantsReady() => _localParticipantsReady.TrySetResult();

    internal void OnAllFinished()
    {
        if (!_completion.TrySetResult()) return;
        if (Settings.RunMode == RunMode.RunToCompletion)
            CoordinatedShutdown.Get(System).Run(AllPluginsFinishedReason.Instance);
    }

    // On the wire's own thread: makes the sockets, then binds them once the engine (and so its settings) exists.
    private static WireLink? BindWire(ActorSystem system, string name, EngineMetrics metrics, Task<EventEngine?> engineMade)
    {
        var wire = new WireLink(name, Logging.GetLogger(system, "EventEngine.Wire"), metrics);
        try
        {
            if (engineMade.GetAwaiter().GetResult() is not { Settings.Wire.Enabled: true } engine)
            {
                wire.Dispose(); // the settings failed (the start fails with their error), or turn the wire off
                return null;
            }
            var inboundCredit = engine.NewCreditWindow("wire");
            wire.Bind(engine.Settings.Wire, inboundCredit, frame => engine.Router.PublishFrame(frame, inboundCredit, toWire: false, "wire"),
                engine.Settings.Curve);
            engine.PublishPort = wire.PublishPort;
            engine.SubscribePort = wire.SubscribePort;
            return wire;
        }
        catch
        {
            wire.Dispose();
            throw;
        }
    }

    // Read before the settings, which check it: a value they refuse counts as on here, and their error fails the start.
    private static bool WireWanted(Config config)
    {
        try
        {
            return config.GetBoolean($"{EngineSettings.Root}.wire.enabled", true);
        }
        catch (Exception)
        {
            return true;
        }
    }

    private void RegisterEvents(EventEngineBuilder builder)
    {
        foreach (var type in builder.EventTypes) Events.Register(type);
        Events.Get<PoisonEvent>(); // registered up front, so external plugins can subscribe to it by name
    }

    private void Run(EventEngineBuilder builder, WireLink? wire)
    {
        SingletonPlugins = builder.SingletonPlugins;
        // CoordinatedShutdown's first Get (its phases read from HOCON, first-call JIT) needs nothing the actors below
        // make: it runs on the thread pool meanwhile, on the core their creation leaves idle, and is awaited before
        // the engine registers its shutdown steps.
        var shutdown = Task.Run(() => CoordinatedShutdown.Get(System));
        var bridge = Bridge;
        if (wire is not null)
        {
            Router.Wire = wire.Send;
            wire.Start(prefixes => bridge.Tell(new OutsidePrefixes(prefixes)));
        }
        var participants = builder.Components.SelectMany(c => c.ParticipantNames).ToList();
        var late = builder.Components.SelectMany(c => c.LateParticipantNames).ToHashSet();
        Supervisor = Spawn(Props.Create<PluginSupervisor>(this, builder.Plugins, participants, late), "event-engine-plugins");
        foreach (var component in builder.Components) component.Start(this);
        EngineShutdown.Register(shutdown.GetAwaiter().GetResult(), this);
        System.WhenTerminated.ContinueWith(_ => Metrics.Dispose(), TaskScheduler.Default);
        var log = Logging.GetLogger(System, "EventEngine");
        if (log.IsInfoEnabled)
            log.Info("Event engine {0} running: {1} plugin(s){2}", Name, builder.Plugins.Count,
                Settings.Wire.Enabled ? $", publish port {PublishPort}, subscribe port {SubscribePort} on {Settings.Wire.BindAddress}{(Settings.Curve.Enabled ? " (CURVE)" : "")}" : ", no wire");
        Exposure.WarnIfExposed(Endpoints(), Settings.Curve, log);
    }

    private IEnumerable<(string What, string Address, int Port)> Endpoints()
    {
        if (Settings.Wire.Enabled)
        {
            yield return ("publish port", Settings.Wire.BindAddress, PublishPort);
            yield return ("subscribe port", Settings.Wire.BindAddress, SubscribePort);
        }
        if (Gateway.GatewayComponent.Of(this) is { } gateway)
        {
            foreach (var (plugin, port) in gateway.Ports) yield return ($"external plugin {plugin}'s port", gateway.BindAddress, port);
        }
    }

    // The engine's actors take their Props as arguments, not as an expression (Props.Create(() => new ...)): Akka compiles
    // an expression's arguments that are not plain variables, milliseconds each on the start-up path.
    private void CreateGuardian() =>
        _guardian = ((ExtendedActorSystem)System).SystemActorOf(Props.Create<EngineGuardian>(this), "event-engine");

    // A start that failed: the guardian's children (bridge with its wire, supervisor, gateway) stop with it.
    private void Stop()
    {
        Interlocked.Exchange(ref _stopping, 1);
        if (!_guardian.IsNobody()) System.Stop(_guardian);
        Metrics.Dispose();
    }

    // A start that failed before the engine was registered: the guardian (which has no children yet) is stopped and awaited,
    // so its name is free for the next engine this system hosts.
    private void StopGuardian()
    {
        Interlocked.Exchange(ref _stopping, 1);
        Metrics.Dispose();
        if (_guardian.IsNobody()) return;
        try
        {
            _guardian.GracefulStop(TimeSpan.FromSeconds(10)).Wait();
        }
        catch (AggregateException)
        {
            // not stopped in time (the system is shutting down): the next start says so if the name is still taken
        }
    }

    /// <summary>The host's services, when the system was set up with Akka.DependencyInjection (Akka.Hosting does that).</summary>
    private static IServiceProvider? ServicesOf(ActorSystem system) =>
        system.Settings.Setup.Get<Akka.DependencyInjection.DependencyResolverSetup>() is { HasValue: true } setup
            ? setup.Value.DependencyResolver.GetService(typeof(IServiceProvider)) as IServiceProvider
            : null;

    /// <summary>
    /// Puts the reference configuration under the system's, unless it is there already (Akka.Hosting's WithEventEngine,
    /// <see cref="EventEngineApplication"/>, a configuration built with <see cref="ReferenceConfig"/> as fallback): Akka's
    /// own check walks every path of the reference, which costs milliseconds at every start.
    /// </summary>
    private static void InjectReferenceConfig(ActorSystem system)
    {
        for (var config = system.Settings.Config; config is not null; config = config.Fallback)
            if (ReferenceEquals(config.Root, ReferenceConfig.Root)) return;
        system.Settings.InjectTopLevelFallback(ReferenceConfig);
    }

    private static Config LoadReferenceConfig()
    {
        using var stream = typeof(EventEngine).Assembly.GetManifestResourceStream("EventEngine.Actors.reference.conf")
            ?? throw new InvalidOperationException("the embedded reference configuration is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}

/// <summary>Registers a started engine as its system's extension (the engine is made by <see cref="EventEngine.Start"/>, not by Akka).</summary>
internal sealed class ExtensionId(EventEngine engine) : ExtensionIdProvider<EventEngine>
{
    public override EventEngine CreateExtension(ExtendedActorSystem system) => engine;
}

/// <summary>CoordinatedShutdown reason: every plugin has finished (run-to-completion mode).</summary>
public sealed class AllPluginsFinishedReason : CoordinatedShutdown.Reason
{
    /// <summary>The single instance.</summary>
    public static readonly AllPluginsFinishedReason Instance = new();

    private AllPluginsFinishedReason() { }

    /// <inheritdoc />
    public override int ExitCode => 0;

    /// <inheritdoc />
    public override string ToString() => "all plugins finished";
}
