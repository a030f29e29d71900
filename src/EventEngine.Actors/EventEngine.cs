using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Security;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors;

/// <summary>
/// One event engine, hosted by an <see cref="ActorSystem"/> (one engine per system; several systems may run in
/// one process). Start it with <see cref="Start"/> (or <c>WithEventEngine</c> in Akka.Hosting).
/// </summary>
public sealed class EventEngine
{
    private static readonly ConditionalWeakTable<ActorSystem, EventEngine> Engines = new();
    private static int _instances;

    private readonly ConcurrentDictionary<string, PluginState> _pluginStates = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CreditWindow _hostCredit;

    private EventEngine(ActorSystem system, EngineSettings settings, string name)
    {
        System = system;
        Settings = settings;
        Name = name;
        Metrics = new EngineMetrics(name);
        Events = new EventRegistry();
        Router = new EventRouter(Events, Metrics, Logging.GetLogger(system, "EventEngine.Router"));
        _hostCredit = NewCreditWindow();
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

    internal EventRouter Router { get; }

    internal IActorRef Bridge { get; private set; } = ActorRefs.Nobody;

    internal IActorRef Supervisor { get; private set; } = ActorRefs.Nobody;

    /// <summary>Starts an engine in <paramref name="system"/> with the plugins <paramref name="configure"/> declares.</summary>
    /// <exception cref="EventEngineException">Bad settings, a port that cannot be bound, or a second engine in the system.</exception>
    public static EventEngine Start(ActorSystem system, Action<EventEngineBuilder> configure) => StartWithOverrides(system, configure, null);

    /// <summary>
    /// TestKit hook: starts an engine whose settings are read from <paramref name="settingsOverrides"/> layered over
    /// the system's configuration (so a test engine can turn the wire off in any TestKit's actor system).
    /// </summary>
    internal static EventEngine StartWithOverrides(ActorSystem system, Action<EventEngineBuilder> configure, Config? settingsOverrides)
    {
        var builder = new EventEngineBuilder();
        configure(builder);
        system.Settings.InjectTopLevelFallback(ReferenceConfig);
        var config = settingsOverrides is null ? system.Settings.Config : settingsOverrides.WithFallback(system.Settings.Config);
        var engine = new EventEngine(system, EngineSettings.From(config),
            $"{system.Name}-{Interlocked.Increment(ref _instances)}");
        lock (Engines)
        {
            if (Engines.TryGetValue(system, out _))
                throw new EventEngineException($"actor system '{system.Name}' already hosts an event engine; use one system per engine");
            Engines.Add(system, engine);
        }
        try
        {
            Gateway.GatewayComponent.AddConfigured(builder, engine.Settings); // external plugins registered in HOCON
            engine.Run(builder);
        }
        catch
        {
            engine.Stop();
            lock (Engines) Engines.Remove(system);
            throw;
        }
        return engine;
    }

    /// <summary>The engine hosted by <paramref name="system"/>.</summary>
    /// <exception cref="EventEngineException">The system hosts no engine.</exception>
    public static EventEngine Of(ActorSystem system)
    {
        lock (Engines)
        {
            if (Engines.TryGetValue(system, out var engine)) return engine;
        }
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

    internal CreditWindow NewCreditWindow() => Settings.FlowControl.Enabled
        ? new CreditWindow(Settings.FlowControl.HighWaterMark, Settings.FlowControl.LowWaterMark)
        : CreditWindow.Unbounded();

    internal PluginState PluginStateOf(IActorRef plugin) =>
        _pluginStates.GetOrAdd(plugin.Path.ToStringWithoutAddress(), _ => new PluginState(NewCreditWindow()));

    /// <summary>TestKit hook: raised on the supervisor's thread when a plugin says it has finished (its name).</summary>
    internal event Action<string>? PluginSaidFinished;

    internal void OnPluginFinished(string plugin) => PluginSaidFinished?.Invoke(plugin);

    internal void OnStarted() => _started.TrySetResult();

    internal void OnAllFinished()
    {
        if (!_completion.TrySetResult()) return;
        if (Settings.RunMode == RunMode.RunToCompletion)
            CoordinatedShutdown.Get(System).Run(AllPluginsFinishedReason.Instance);
    }

    private void Run(EventEngineBuilder builder)
    {
        foreach (var type in builder.EventTypes) Events.Register(type);
        WireLink? wire = null;
        if (Settings.Wire.Enabled)
        {
            var inboundCredit = NewCreditWindow();
            wire = new WireLink(Settings.Wire, Name, inboundCredit,
                frame => Router.PublishFrame(frame, inboundCredit, toWire: false),
                Logging.GetLogger(System, "EventEngine.Wire"), Settings.Curve, Metrics);
            PublishPort = wire.PublishPort;
            SubscribePort = wire.SubscribePort;
        }
        var bridge = Bridge = System.ActorOf(Props.Create(() => new ZmqBridge(Router, Metrics)), "event-engine-bridge");
        if (wire is not null)
        {
            bridge.Tell(new AttachWire(wire));
            Router.Wire = wire.Send;
            wire.Start(prefixes => bridge.Tell(new OutsidePrefixes(prefixes)));
        }
        var participants = builder.Components.SelectMany(c => c.ParticipantNames).ToList();
        Supervisor = System.ActorOf(Props.Create(() => new PluginSupervisor(this, builder.Plugins, participants)), "event-engine-plugins");
        foreach (var component in builder.Components) component.Start(this);
        System.WhenTerminated.ContinueWith(_ => Metrics.Dispose(), TaskScheduler.Default);
        var log = Logging.GetLogger(System, "EventEngine");
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

    private void Stop()
    {
        if (!Bridge.IsNobody()) System.Stop(Bridge);
        if (!Supervisor.IsNobody()) System.Stop(Supervisor);
        Metrics.Dispose();
    }

    private static Config LoadReferenceConfig()
    {
        using var stream = typeof(EventEngine).Assembly.GetManifestResourceStream("EventEngine.Actors.reference.conf")
            ?? throw new InvalidOperationException("the embedded reference configuration is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
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
