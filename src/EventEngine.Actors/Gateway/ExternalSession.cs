using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Gateway;

/// <summary>
/// One registered external plugin's session: subscribed with the bridge from engine start on, it receives its
/// deliveries in memory like an internal plugin and queues them in its <see cref="SessionInbox"/>, which the
/// plugin's <see cref="PluginPort"/> hands out. It joins the start-up barrier (ready at the plugin's first
/// request, once its subscriptions are active), finishes when the plugin quits, and applies the disconnect
/// policy when the plugin's process goes away and does not come back.
/// </summary>
internal sealed class ExternalSession : ReceiveActor, IWithTimers
{
    private readonly EventEngine _engine;
    private readonly string _name;
    private readonly ImmutableArray<byte[]> _prefixes;
    private readonly SessionInbox _inbox;
    private readonly GatewayPoller _poller;
    private readonly PluginPort _port;
    private readonly GatewaySettings _settings;
    private readonly IActorRef? _process;
    private readonly Action _onSubscribed;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Diagnostics.SessionGauge? _gauge;
    private bool _subscribed;
    private bool _connected;
    private bool _ready;
    private bool _finished;
    private int _connections;

    /// <param name="engine">The engine.</param>
    /// <param name="spec">The plugin: registration, port, inbox and resolved prefixes.</param>
    /// <param name="poller">The poller thread the port lives on (the port is touched only through it).</param>
    /// <param name="settings">Gateway settings.</param>
    /// <param name="process">The actor running the plugin's process, if the engine launches it.</param>
    /// <param name="onSubscribed">Called once, when its subscriptions are first active.</param>
    public ExternalSession(EventEngine engine, SessionSpec spec, GatewayPoller poller, GatewaySettings settings,
        IActorRef? process, Action onSubscribed)
    {
        _engine = engine;
        _name = spec.Plugin.Name;
        _prefixes = spec.Prefixes;
        _inbox = spec.Inbox;
        _poller = poller;
        _port = spec.Port;
        _settings = settings;
        _process = process;
        _onSubscribed = onSubscribed;
        _gauge = engine.Metrics.Session(_name);

        Receive<Delivery>(OnDelivery);
        Receive<SubscriptionsActive>(_ =>
        {
            if (!_subscribed) _onSubscribed();
            _subscribed = true;
            CheckReady();
        });
        Receive<PeerFirstRequest>(_ =>
        {
            _connected = true;
            if (!_finished && _gauge is not null) _gauge.State = Diagnostics.SessionGauge.Connected;
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
        Receive<PortDropped>(d =>
        {
            if (d.Released > 0) _engine.Metrics.Dropped("plugin-disconnected", d.Released);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => _engine.Bridge.Tell(new Subscribe(Self, _prefixes), Self);

    protected override void PostStop()
    {
        if (!_finished) Drain("engine-stopped", 0);
    }

    private void OnDelivery(Delivery delivery)
    {
        if (!_finished)
        {
            _inbox.Add(delivery);
            return;
        }
        _inbox.Release(delivery);
        _engine.Metrics.Dropped("plugin-finished");
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
        if (_gauge is not null) _gauge.State = count > 0 ? Diagnostics.SessionGauge.Connected : Diagnostics.SessionGauge.Disconnected;
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
        _log.Error("External plugin {0} has been disconnected for {1}; dropping its events and ending its session (event-engine.gateway.on-disconnect-timeout = drop-and-finish)",
            _name, _settings.DisconnectTimeout);
        var self = Self;
        var port = _port;
        _poller.Post(() => self.Tell(new PortDropped(port.Drop())));
        Finish("plugin-disconnected", 0);
        _process?.Tell(PluginQuit.Instance);
    }

    private void Finish(string reason, int droppedByPort)
    {
        if (_finished) return;
        _finished = true;
        if (_gauge is not null) _gauge.State = Diagnostics.SessionGauge.Finished;
        Timers.CancelAll();
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
        var dropped = alreadyReleased;
        while (_inbox.TryTake(out var delivery))
        {
            _inbox.Release(delivery);
            dropped++;
        }
        if (dropped > 0)
        {
            _engine.Metrics.Dropped(reason, dropped);
            _log.Info("External plugin {0}: {1} queued event(s) it will never read were dropped ({2})", _name, dropped, reason);
        }
    }

    private sealed record PortDropped(int Released);

    private sealed class DisconnectTimeout
    {
        public static readonly DisconnectTimeout Instance = new();
    }
}
