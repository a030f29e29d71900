using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// One registered external plugin's session: subscribed with the bridge from engine start on, its deliveries go
/// in memory into its <see cref="SessionInbox"/> (through its <see cref="SessionSubscriber"/>, on the publisher's
/// thread), which the plugin's <see cref="PluginPort"/> hands out. It joins the start-up barrier (ready at the plugin's first
/// request, once its subscriptions are active), finishes when the plugin quits, and applies its policies: the
/// disconnect policy when the plugin's process goes away and does not come back, its <see cref="QueuePolicy"/> when
/// its queue is full or it never connects. While its queue holds the events of a paused source it says so (WARN).
/// </summary>
internal sealed class ExternalSession : ReceiveActor, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly string _name;
    private readonly IReadOnlyList<string> _subscriptions;
    private readonly SessionInbox _inbox;
    private readonly PluginPort _port;
    private readonly GatewaySettings _settings;
    private readonly QueuePolicy _policy;
    private readonly IActorRef? _process;
    private readonly Action _onSubscribed;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SessionGauge? _gauge;
    private readonly SessionSubscriber _subscriber;
    private bool _subscribed;
    private bool _connected;
    private bool _ready;
    private bool _finished;
    private int _connections;

    /// <param name="engine">The engine.</param>
    /// <param name="spec">The plugin: registration, port, inbox and resolved prefixes.</param>
    /// <param name="settings">Gateway settings.</param>
    /// <param name="process">The actor running the plugin's process, if the engine launches it.</param>
    /// <param name="onSubscribed">Called once, when its subscriptions are first active.</param>
    public ExternalSession(EventEngine engine, SessionSpec spec, GatewaySettings settings,
        IActorRef? process, Action onSubscribed)
    {
        _engine = engine;
        _name = spec.Plugin.Name;
        _subscriptions = spec.Plugin.Subscriptions;
        _inbox = spec.Inbox;
        _port = spec.Port;
        _settings = settings;
        _policy = spec.Queue;
        _process = process;
        _onSubscribed = onSubscribed;
        _gauge = engine.Metrics.Session(_name);
        _subscriber = new SessionSubscriber(Self, _inbox, _policy, engine.Metrics, _log, _name);

        Receive<Delivery>(_subscriber.Offer); // one sent to the session itself, not through the routing table
        Receive<SubscribeNow>(_ => _engine.Bridge.Tell(new Subscribe(_subscriber, [.. _subscriptions.Select(_engine.Events.FilterOf)], ReadsFrames: true), Self));
        Receive<QueueOverflowed>(_ =>
        {
            if (!_finished)
                GiveUp("queue-full", "External plugin {0}: {1} events are queued for it (max-queue); dropping them and ending its session (on-queue-full = drop-and-finish)",
                    _name, _policy.MaxQueue);
        });
        Receive<SubscriptionsActive>(_ =>
        {
            if (!_subscribed) _onSubscribed();
            _subscribed = true;
            CheckReady();
        });
        Receive<PeerFirstRequest>(_ =>
        {
            _connected = true;
            Timers.Cancel(ConnectTimeout.Instance);
            if (!_finished && _gauge is not null) _gauge.Connection = ExternalPluginConnection.Connected;
            _log.Info("External plugin {0} connected", _name);
            CheckReady();
        });
        Receive<PeerConnections>(c =>
        {
            if (c.Count > 0) _process?.Tell(PluginConnected.Instance);
            ConnectionsChanged(c.Count);
        });
        Receive<PeerQuit>(q =>
        {
            _log.Info("External plugin {0} quit", _name);
            Finish("plugin-quit", q.Dropped);
            _process?.Tell(PluginQuit.Instance);
        });
        Receive<DisconnectTimeout>(_ => DisconnectTimedOut());
        Receive<PluginGateway.StopServing>(_ =>
        {
            if (_finished) return;
            var self = Self;
            var port = _port;
            port.Post(() => self.Tell(new PortDropped(port.StopServing(), "engine-stopped")));
            _subscriber.Close("engine-stopped");
            Drain("engine-stopped", 0);
        });
        Receive<EngineStarted>(_ =>
        {
            if (!_connected && !_finished) Timers.StartSingleTimer(ConnectTimeout.Instance, ConnectTimeout.Instance, _policy.ConnectTimeout);
        });
        Receive<ConnectTimeout>(_ => ConnectTimedOut());
        Receive<PauseCheck>(_ => ReportPausedSources());
        Receive<PortDropped>(d =>
        {
            if (d.Released > 0) _engine.Metrics.Dropped(d.Reason, d.Released);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        var self = Self;
        // Subscriptions name event types, which plugin constructors register: resolved once every constructor has run.
        _engine.PluginsCreated.ContinueWith(_ => self.Tell(SubscribeNow.Instance), TaskScheduler.Default);
        _engine.Started.ContinueWith(_ => self.Tell(EngineStarted.Instance), TaskScheduler.Default);
        Timers.StartPeriodicTimer(PauseCheck.Instance, PauseCheck.Instance, _engine.Settings.FlowControl.PauseWarningInterval);
    }

    protected override void PostStop()
    {
        if (_finished) return;
        _subscriber.Close("engine-stopped");
        Drain("engine-stopped", 0);
    }

    private void ConnectTimedOut()
    {
        if (_finished || _connected) return;
        if (_policy.OnConnectTimeout == DisconnectPolicy.KeepQueueing)
        {
            _log.Warning("External plugin {0} has not connected {1} after start-up; its {2} queued event(s) wait for it (on-connect-timeout = keep-queueing): their publishers pause once they hold {3}",
                _name, _policy.ConnectTimeout, _inbox.Count, _engine.Settings.FlowControl.HighWaterMark);
            Timers.StartSingleTimer(ConnectTimeout.Instance, ConnectTimeout.Instance, _policy.ConnectTimeout);
            return;
        }
        GiveUp("plugin-never-connected", "External plugin {0} has not connected {1} after start-up; dropping its events and ending its session (on-connect-timeout = drop-and-finish)",
            _name, _policy.ConnectTimeout);
    }

    // While its queue holds events of a paused source, the plugin is why that source waits: say so, again and again.
    private void ReportPausedSources()
    {
        if (_finished || _inbox.IsEmpty || !_engine.PausedSources().Any()) return;
        var paused = _inbox.HeldSources().Where(s => s.IsPaused).Select(s => s.Source).Order(StringComparer.Ordinal).ToList();
        if (paused.Count == 0) return;
        _log.Warning("External plugin {0} ({1}) has {2} event(s) queued and holds up paused source(s) {3} until it reads them (max-queue {4}, on-queue-full = {5})",
            _name, !_connected ? "never connected" : _connections > 0 ? "connected" : "disconnected", _inbox.Count, string.Join(", ", paused),
            _policy.MaxQueue, _policy.OnFull);
    }

    private void CheckReady()
    {
        if (_ready || !_subscribed || !_connected) return;
        _ready = true;
        _engine.Supervisor.Tell(new ParticipantReady(_name));
    }

    private void ConnectionsChanged(int count)
    {
        var was = _connections;
        _connections = count;
        if (_finished || !_connected) return;
        if (_gauge is not null) _gauge.Connection = count > 0 ? ExternalPluginConnection.Connected : ExternalPluginConnection.Disconnected;
        if (count == 0 && was > 0)
        {
            _log.Warning("External plugin {0} disconnected; its events stay queued (at most {1} wait for it before its publishers pause) until it reconnects",
                _name, _engine.Settings.FlowControl.HighWaterMark);
            Timers.StartSingleTimer(DisconnectTimeout.Instance, DisconnectTimeout.Instance, _settings.DisconnectTimeout);
        }
        else if (count > 0 && was == 0 && Timers.IsTimerActive(DisconnectTimeout.Instance))
        {
            Timers.Cancel(DisconnectTimeout.Instance);
            _log.Info("External plugin {0} reconnected", _name);
        }
    }

    private void DisconnectTimedOut()
    {
        if (_finished || _connections > 0) return;
        if (_settings.OnDisconnectTimeout == DisconnectPolicy.KeepQueueing)
        {
            _log.Warning("External plugin {0} has been disconnected for {1}; still keeping its events (event-engine.gateway.on-disconnect-timeout = keep-queueing): its publishers pause once {2} events wait for it",
                _name, _settings.DisconnectTimeout, _engine.Settings.FlowControl.HighWaterMark);
            Timers.StartSingleTimer(DisconnectTimeout.Instance, DisconnectTimeout.Instance, _settings.DisconnectTimeout);
            return;
        }
        GiveUp("plugin-disconnected", "External plugin {0} has been disconnected for {1}; dropping its events and ending its session (event-engine.gateway.on-disconnect-timeout = drop-and-finish)",
            _name, _settings.DisconnectTimeout);
    }

    // A drop-and-finish policy applies: everything it holds or would get is dropped (counted with the reason).
    private void GiveUp(string reason, string message, params object[] args)
    {
        _log.Error(message, args);
        var self = Self;
        var port = _port;
        port.Post(() => self.Tell(new PortDropped(port.Drop(), reason)));
        Finish(reason, 0);
        _process?.Tell(PluginQuit.Instance);
    }

    private void Finish(string reason, int droppedByPort)
    {
        if (_finished) return;
        _finished = true;
        if (_gauge is not null) _gauge.Connection = ExternalPluginConnection.Finished;
        Timers.CancelAll();
        _subscriber.Close("plugin-finished");
        Drain(reason, droppedByPort);
        _engine.Bridge.Tell(new Unsubscribe(Self));
        if (!_ready)
        {
            _ready = true;
            _engine.Supervisor.Tell(new ParticipantReady(_name));
        }
        _engine.Supervisor.Tell(new ParticipantFinished(_name));
    }

    // Releases what is still queued for the plugin; counts it as dropped.
    private void Drain(string reason, int alreadyReleased)
    {
        var dropped = alreadyReleased + _inbox.ReleaseQueued();
        if (dropped > 0)
        {
            _engine.Metrics.Dropped(reason, dropped);
            _log.Info("External plugin {0}: {1} queued event(s) it will never read were dropped ({2})", _name, dropped, reason);
        }
    }

    private sealed record PortDropped(int Released, string Reason);

    private sealed class SubscribeNow
    {
        public static readonly SubscribeNow Instance = new();
    }

    private sealed class EngineStarted
    {
        public static readonly EngineStarted Instance = new();
    }

    private sealed class ConnectTimeout
    {
        public static readonly ConnectTimeout Instance = new();
    }

    private sealed class PauseCheck
    {
        public static readonly PauseCheck Instance = new();
    }

    private sealed class DisconnectTimeout
    {
        public static readonly DisconnectTimeout Instance = new();
    }
}
