using EventEngine.Actors.Sockets;
using System.Runtime.CompilerServices;
using Akka;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Gateway.Transports;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// Hooks the gateway into an engine: collects the external plugins registered through the builder and in HOCON,
/// puts their names into the start-up barrier, and at engine start binds their ports (a bind failure fails
/// <see cref="EventEngine.Start"/>), creates the <see cref="PluginGateway"/> and registers the shutdown task that
/// stops plugin processes.
/// </summary>
internal sealed class GatewayComponent : IEngineComponent
{
    private static readonly ConditionalWeakTable<EventEngine, GatewayComponent> Running = new();
    private readonly List<ExternalPlugin> _plugins = new();
    private readonly List<string> _names = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, int> _ports = new();
    private readonly Dictionary<string, SessionInbox> _inboxes = new();
    private int _waitingForSubscriptions;

    public IReadOnlyCollection<string> ParticipantNames => _names;

    /// <summary>Completes once every session's subscriptions are active (its events are queued from then on).</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>The bound port of each external plugin, by name (known once the engine started).</summary>
    public IReadOnlyDictionary<string, int> Ports => _ports;

    /// <summary>The interface the plugin ports are bound to (known once the engine started).</summary>
    public string BindAddress { get; private set; } = "";

    /// <summary>Events queued for <paramref name="plugin"/> and not yet handed out (diagnostics, tests).</summary>
    public int Queued(string plugin) => _inboxes[plugin].Count;

    /// <summary>The builder's gateway component, added on first use.</summary>
    public static GatewayComponent Of(EventEngineBuilder builder)
    {
        var component = builder.Components.OfType<GatewayComponent>().FirstOrDefault();
        if (component is not null) return component;
        component = new GatewayComponent();
        builder.AddComponent(component);
        return component;
    }

    /// <summary>The running engine's gateway component, or null when it has no external plugins.</summary>
    public static GatewayComponent? Of(EventEngine engine) => Running.TryGetValue(engine, out var component) ? component : null;

    /// <summary>Adds the external plugins registered under <c>event-engine.external-plugins</c>.</summary>
    public static void AddConfigured(EventEngineBuilder builder, EngineSettings settings)
    {
        foreach (var plugin in GatewaySettings.PluginsFrom(settings.Section))
        {
            try
            {
                Of(builder).Add(builder, plugin);
            }
            catch (ArgumentException e)
            {
                throw new EventEngineException($"event-engine.external-plugins.{plugin.Name}: {e.Message}", e);
            }
        }
    }

    public void Add(EventEngineBuilder builder, ExternalPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin.Subscriptions, nameof(plugin.Subscriptions));
        if (plugin.Port is < 0 or > 65535)
            throw new ArgumentException($"external plugin '{plugin.Name}': {plugin.Port} is not a TCP port (0..65535, 0 = ephemeral)", nameof(plugin));
        if (plugin.Command is { Count: 0 })
            throw new ArgumentException($"external plugin '{plugin.Name}': the command is empty (use null when the engine does not start the plugin)", nameof(plugin));
        builder.ValidateName(plugin.Name);
        _plugins.Add(plugin);
        _names.Add(plugin.Name);
    }

    public void Start(EventEngine engine)
    {
        var settings = GatewaySettings.From(engine.Settings);
        BindAddress = settings.BindAddress;
        var policies = _plugins.ToDictionary(p => p.Name, p => QueuePolicy.For(p.Name, engine.Settings.Section));
        var log = Logging.GetLogger(engine.System, "EventEngine.Gateway");
        var poller = new PollerThread("gateway", log, engine.Metrics);
        var transportKind = PortTransports.Effective(settings, engine.Settings.Curve, log);
        var specs = new List<SessionSpec>();
        try
        {
            foreach (var plugin in _plugins)
            {
                var policy = policies[plugin.Name];
                var inbox = new SessionInbox(engine.NewCreditWindow(plugin.Name), policy.MaxQueue);
                var transport = PortTransports.Bind(transportKind, plugin.Name, plugin.Port, settings,
                    $"inproc://event-engine-{engine.Name}-gateway-monitor-{specs.Count}", poller, engine.Settings.Curve, engine.Metrics, log);
                var port = new PluginPort(plugin.Name, transport, inbox, engine.Router, engine.Metrics, log, engine.Started);
                specs.Add(new SessionSpec(plugin, port, inbox, policy));
                _ports[plugin.Name] = port.Port;
                _inboxes[plugin.Name] = inbox;
                engine.Metrics.AddSession(plugin.Name, inbox);
            }
        }
        catch
        {
            poller.Dispose(); // first: NetMQPoller refuses to hold disposed sockets
            foreach (var spec in specs) spec.Port.Dispose();
            throw;
        }
        _waitingForSubscriptions = specs.Count;
        Running.AddOrUpdate(engine, this);
        var gateway = engine.Spawn(Props.Create<PluginGateway>(engine, settings, specs, poller, (Action)OnSessionSubscribed), "event-engine-gateway");
        engine.StoppingStarted += () => gateway.Tell(PluginGateway.StopServing.Instance);
        RegisterShutdown(engine.System, gateway, settings);
        log.Info("Gateway: {0}", string.Join(", ", specs.Select(s =>
            $"{s.Plugin.Name} on tcp://{settings.BindAddress}:{s.Port.Port}{(engine.Settings.Curve.Enabled ? " (CURVE)" : "")}{(transportKind == PluginTransport.Lean ? " (lean transport)" : "")} subscribed to [{string.Join(", ", s.Plugin.Subscriptions)}]{(s.Plugin.Command is null ? "" : " (launched by the engine)")}")));
    }

    private void OnSessionSubscribed()
    {
        if (Interlocked.Decrement(ref _waitingForSubscriptions) == 0) _subscribed.TrySetResult();
    }

    // service-stop: the plugin processes first (they get SIGTERM and time to exit), then the gateway, its sessions and ports.
    private static void RegisterShutdown(ActorSystem system, IActorRef gateway, GatewaySettings settings)
    {
        var timeout = settings.Processes.StopTimeout + TimeSpan.FromSeconds(5);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "event-engine-stop-gateway", async () =>
        {
            try
            {
                await gateway.Ask<Done>(PluginGateway.StopPluginProcesses.Instance, timeout).ConfigureAwait(false);
                await gateway.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // the gateway's PostStop kills whatever still runs
            }
            return Done.Instance;
        });
    }
}
