using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EventEngine.Actors.Diagnostics;

/// <summary>
/// The counters of one engine, in a <see cref="Meter"/> named <see cref="MeterName"/> and tagged with the
/// engine's name (several engines may share a process). Recording costs next to nothing without a listener.
/// </summary>
/// <remarks>
/// <c>event_engine.events.dropped</c> counts every event the engine gave up on, by <c>reason</c>:
/// <c>poison</c> (its handler threw), <c>undecodable</c> (a frame from outside its codec refused),
/// <c>multipart</c> (a multi-frame message on the publish port: forwarded, not delivered to plugins),
/// <c>subscriber-stopped</c>, <c>plugin-quit</c>, <c>plugin-finished</c>, <c>plugin-disconnected</c>,
/// <c>engine-stopped</c> (queued for a plugin that will never read it), <c>unencodable</c>, <c>queue-full</c> (an
/// external plugin's queue was at its <c>max-queue</c> under a drop policy), <c>plugin-never-connected</c> and
/// <c>peer-replaced</c> (a publication held until start-up whose peer was replaced); in cluster mode
/// (EventEngine.Actors.Cluster) <c>node-left</c> (held by the link to a node that left before acknowledging it),
/// <c>too-large-for-link</c> (larger than <c>event-engine.wire.max-message-size</c>: not sent to other nodes),
/// <c>bad-event-part</c> (a large event whose parts from another node were refused) and <c>incomplete-event</c> (a
/// large event from another node dropped half-received).
/// </remarks>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>.AddMeter("EventEngine.Actors")</c>).</summary>
    public const string MeterName = "EventEngine.Actors";

    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _undecodable;
    private readonly Counter<long> _poison;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _stops;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _badRequests;
    private readonly Counter<long> _processRestarts;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _pollerFailures;
    private readonly Counter<long> _subscriptionsRefused;
    private readonly ConcurrentDictionary<string, SessionGauge> _sessions = new();

    internal EngineMetrics(string engineName)
    {
        Meter = new Meter(new MeterOptions(MeterName) { Tags = [new("engine", engineName)] });
        _published = Meter.CreateCounter<long>("event_engine.events.published", "{event}", "Events published, per event type and publisher (a plugin's name, host or wire)");
        _delivered = Meter.CreateCounter<long>("event_engine.events.delivered", "{event}", "Events handed to subscribers (one per subscriber), per event type");
        _undecodable = Meter.CreateCounter<long>("event_engine.events.undecodable", "{frame}", "Frames that matched an event type's filter but failed to decode, per event type");
        _poison = Meter.CreateCounter<long>("event_engine.events.poison", "{event}", "Events whose handler threw (dropped; the plugin restarted), per plugin");
        _dropped = Meter.CreateCounter<long>("event_engine.events.dropped", "{event}", "Events dropped, per reason");
        _restarts = Meter.CreateCounter<long>("event_engine.plugin.restarts", "{restart}", "Plugin restarts, per plugin");
        _stops = Meter.CreateCounter<long>("event_engine.plugin.stops", "{stop}", "Plugins stopped by supervision (restart limit or failure to start), per plugin");
        _badRequests = Meter.CreateCounter<long>("event_engine.gateway.bad_requests", "{request}",
            "Requests of external plugins refused with an 'event-engine: bad msg' reply, per plugin and reason (unknown-command, multipart, invalid, session-over)");
        _processRestarts = Meter.CreateCounter<long>("event_engine.plugin.process_restarts", "{restart}",
            "Plugin processes the engine started again (the process exited before its plugin quit, or could not be started), per plugin");
        _refused = Meter.CreateCounter<long>("event_engine.connections.refused", "{connection}",
            "TCP connections refused before reaching a socket (with CURVE on: peers not speaking ZMTP 3), per endpoint and reason");
        _pollerFailures = Meter.CreateCounter<long>("event_engine.poller.failures", "{failure}",
            "Handlers that threw on a socket thread (logged; the thread carried on), per thread (bridge, gateway)");
        _subscriptionsRefused = Meter.CreateCounter<long>("event_engine.wire.subscriptions_refused", "{subscription}",
            "Subscriptions on the subscribe port refused because outside subscribers hold wire.max-subscriptions prefixes");
        Meter.CreateObservableGauge("event_engine.gateway.sessions", ObserveSessions, "{session}",
            "External plugin sessions, per state (waiting: never connected; connected; disconnected; finished)");
        Meter.CreateObservableGauge("event_engine.gateway.queue_depth", ObserveQueues, "{event}",
            "Events queued for an external plugin and not yet handed out, per plugin");
    }

    /// <summary>The engine's meter.</summary>
    public Meter Meter { get; }

    // These two run per event: nothing is recorded, nor are tags built, while nobody listens.
    internal void Published(string eventType, string publisher)
    {
        if (_published.Enabled) _published.Add(1, new("event_type", eventType), new("publisher", publisher));
    }

    internal void Delivered(string eventType, int subscribers)
    {
        if (subscribers > 0 && _delivered.Enabled) _delivered.Add(subscribers, new KeyValuePair<string, object?>("event_type", eventType));
    }

    internal void Undecodable(string eventType) => _undecodable.Add(1, new KeyValuePair<string, object?>("event_type", eventType));

    internal void Poison(string plugin, string eventType) =>
        _poison.Add(1, new("plugin", plugin), new("event_type", eventType));

    internal void Dropped(string reason, long count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    internal void Restarted(string plugin) => _restarts.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    internal void Stopped(string plugin) => _stops.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    internal void BadRequest(string plugin, string reason) => _badRequests.Add(1, new("plugin", plugin), new("reason", reason));

    internal void ConnectionRefused(string endpoint, string reason) => _refused.Add(1, new("endpoint", endpoint), new("reason", reason));

    internal void PollerFailed(string poller) => _pollerFailures.Add(1, new KeyValuePair<string, object?>("poller", poller));

    internal void SubscriptionRefused() => _subscriptionsRefused.Add(1);

    internal void ProcessRestarted(string plugin) => _processRestarts.Add(1, new KeyValuePair<string, object?>("plugin", plugin));

    /// <summary>Makes an external plugin's session visible in the gauges; its inbox is read on collection.</summary>
    internal SessionGauge AddSession(string plugin, Gateway.SessionInbox inbox) => _sessions[plugin] = new SessionGauge(inbox);

    /// <summary>Every external plugin's session, by name.</summary>
    internal IReadOnlyDictionary<string, SessionGauge> Sessions => _sessions;

    /// <summary>Reports <paramref name="count"/> as the gauge of paused sources (called once, by the engine).</summary>
    internal void ObservePausedSources(Func<int> count) =>
        Meter.CreateObservableGauge("event_engine.sources.paused", count, "{source}",
            "Sources of events (plugins, external plugins, host, wire) paused by flow control right now");

    /// <summary>The gauge state of <paramref name="plugin"/>'s session, if it has one.</summary>
    internal SessionGauge? Session(string plugin) => _sessions.GetValueOrDefault(plugin);

    private IEnumerable<Measurement<int>> ObserveSessions()
    {
        var counts = new int[(int)ExternalPluginConnection.Finished + 1];
        foreach (var session in _sessions.Values) counts[(int)session.Connection]++;
        for (var state = 0; state < counts.Length; state++)
            yield return new Measurement<int>(counts[state], new KeyValuePair<string, object?>("state", SessionGauge.Name((ExternalPluginConnection)state)));
    }

    private IEnumerable<Measurement<int>> ObserveQueues() => _sessions
        .Select(kv => new Measurement<int>(kv.Value.Inbox.Count, new KeyValuePair<string, object?>("plugin", kv.Key)));

    /// <inheritdoc />
    public void Dispose() => Meter.Dispose();
}

/// <summary>
/// What the gauges and <see cref="EngineStatus"/> show of one external plugin's session: its connection (written by
/// the session actor) and its inbox (read by collectors and status snapshots on any thread).
/// </summary>
internal sealed class SessionGauge
{
    private int _connection;

    public SessionGauge(Gateway.SessionInbox inbox) => Inbox = inbox;

    public Gateway.SessionInbox Inbox { get; }

    public ExternalPluginConnection Connection
    {
        get => (ExternalPluginConnection)Volatile.Read(ref _connection);
        set => Volatile.Write(ref _connection, (int)value);
    }

    public static string Name(ExternalPluginConnection state) => state switch
    {
        ExternalPluginConnection.Connected => "connected",
        ExternalPluginConnection.Disconnected => "disconnected",
        ExternalPluginConnection.Finished => "finished",
        _ => "waiting",
    };
}
