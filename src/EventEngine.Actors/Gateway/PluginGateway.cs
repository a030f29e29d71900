using EventEngine.Actors.Sockets;
using Akka;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Processes;

namespace EventEngine.Actors.Gateway;

/// <summary>One external plugin as the gateway runs it: its registration, port, inbox, resolved prefixes and queue policy.</summary>
internal sealed record SessionSpec(ExternalPlugin Plugin, PluginPort Port, SessionInbox Inbox, QueuePolicy Queue);

/// <summary>
/// The gateway: parent of one <see cref="ExternalSession"/> per registered external plugin (and of a
/// <see cref="PluginProcess"/> for each plugin the engine launches). It owns the plugin ports and their poller
/// thread, started once every session is attached, and disposes them when it stops.
/// </summary>
internal sealed class PluginGateway : ReceiveActor
{
    private readonly EventEngine _engine;
    private readonly GatewaySettings _settings;
    private readonly IReadOnlyList<SessionSpec> _specs;
    private readonly PollerThread _poller;
    private readonly ProcessLauncher _launcher;
    private readonly Action _onSubscribed;
    private readonly List<IActorRef> _processes = new();

    public PluginGateway(EventEngine engine, GatewaySettings settings, IReadOnlyList<SessionSpec> specs, PollerThread poller, Action onSubscribed)
    {
        _engine = engine;
        _settings = settings;
        _specs = specs;
        _poller = poller;
        _onSubscribed = onSubscribed;
        _launcher = new ProcessLauncher($"event-engine-launcher-{engine.Name}");

        Receive<StopServing>(_ =>
        {
            foreach (var child in Context.GetChildren()) child.Tell(StopServing.Instance);
        });
        ReceiveAsync<StopPluginProcesses>(async _ =>
        {
            var timeout = _settings.Processes.StopTimeout + TimeSpan.FromSeconds(3);
            await Task.WhenAll(_processes.Select(p => p.Ask<Done>(PluginProcess.StopProcess.Instance, timeout)
                .ContinueWith(_ => Done.Instance, TaskScheduler.Default)));
            Sender.Tell(Done.Instance);
        });
    }

    /// <summary>A session or process actor that throws keeps its state (queue, readiness, process) and goes on.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Resume);

    protected override void PreStart()
    {
        var warnedNoSetpriv = false;
        foreach (var spec in _specs)
        {
            var plugin = spec.Plugin;
            IActorRef? process = null;
            if (plugin.Command is not null)
            {
                var info = PluginCommand.Build(plugin, _settings.BindAddress, spec.Port.Port, _settings.Processes, out var dieWithEngine);
                if (_engine.Settings.Curve.PublicKeyZ85 is { } serverKey && plugin.Environment?.ContainsKey(PluginCommand.CurveServerKeyVariable) != true)
                    info.Environment[PluginCommand.CurveServerKeyVariable] = serverKey;
                if (!dieWithEngine && _settings.Processes.DieWithEngine && OperatingSystem.IsLinux() && !warnedNoSetpriv)
                {
                    warnedNoSetpriv = true;
                    Context.GetLogger().Warning("{0} not found: plugin processes are stopped at shutdown and at CLR exit, but would survive a SIGKILL of the engine (event-engine.gateway.processes.setpriv)",
                        _settings.Processes.Setpriv);
                }
                process = Context.ActorOf(Props.Create(() => new PluginProcess(plugin.Name, info, _settings.Processes, _launcher)), $"{plugin.Name}-process");
                _processes.Add(process);
            }
            var session = Context.ActorOf(Props.Create(() => new ExternalSession(_engine, spec, _settings, process, _onSubscribed)), plugin.Name);
            spec.Port.Start(session);
        }
        _poller.Start($"event-engine-gateway-{_engine.Name}");
    }

    protected override void PostStop()
    {
        _poller.Stop();
        foreach (var spec in _specs) spec.Port.Dispose();
        _poller.Dispose();
        _launcher.Dispose();
    }

    /// <summary>The engine is stopping: every session stops serving its plugin (CoordinatedShutdown's service-unbind).</summary>
    internal sealed class StopServing
    {
        public static readonly StopServing Instance = new();
    }

    /// <summary>Stops every plugin process (CoordinatedShutdown); answered with <see cref="Done"/>.</summary>
    internal sealed class StopPluginProcesses
    {
        public static readonly StopPluginProcesses Instance = new();
    }
}
