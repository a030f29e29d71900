using System.Runtime.CompilerServices;
using System.Text;
using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Dashboard;

/// <summary>
/// Watches one engine for the dashboard: every <see cref="Interval"/> it reads the engine's plugins, sessions,
/// routing table and counter totals and turns them into an <see cref="EngineSnapshot"/>, rates computed against
/// the previous one. One observer per engine, shared by every page and stream; it ends with the actor system.
/// </summary>
internal sealed class EngineObserver : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly ConditionalWeakTable<EventEngine, EngineObserver> Observers = new();

    private readonly EventEngine _engine;
    private readonly CounterTotals _counters;
    private readonly Timer _timer;
    private Dictionary<(string Instrument, string Tags), long> _previous = new();
    private DateTimeOffset _previousTime = DateTimeOffset.UtcNow;
    private TaskCompletionSource<EngineSnapshot> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EngineSnapshot? _latest;

    private EngineObserver(EventEngine engine)
    {
        _engine = engine;
        _counters = new CounterTotals(engine.Metrics.Meter);
        _latest = Take();
        _timer = new Timer(_ => Publish(), null, Interval, Interval);
        engine.System.WhenTerminated.ContinueWith(_ => Dispose(), TaskScheduler.Default);
    }

    /// <summary>The latest snapshot.</summary>
    public EngineSnapshot Latest => Volatile.Read(ref _latest)!;

    /// <summary>The observer of <paramref name="engine"/>, started on first use.</summary>
    public static EngineObserver Of(EventEngine engine)
    {
        lock (Observers) return Observers.GetValue(engine, e => new EngineObserver(e));
    }

    /// <summary>Completes with the next snapshot.</summary>
    public Task<EngineSnapshot> Next() => Volatile.Read(ref _next).Task;

    public void Dispose()
    {
        _timer.Dispose();
        _counters.Dispose();
        Volatile.Read(ref _next).TrySetCanceled();
    }

    private void Publish()
    {
        EngineSnapshot snapshot;
        lock (_counters) snapshot = Take();
        Volatile.Write(ref _latest, snapshot);
        Interlocked.Exchange(ref _next, new TaskCompletionSource<EngineSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(snapshot);
    }

    private EngineSnapshot Take()
    {
        var now = DateTimeOffset.UtcNow;
        var totals = _counters.Read();
        var seconds = Math.Max((now - _previousTime).TotalSeconds, 0.001);
        var previous = _previous;
        _previous = totals;
        _previousTime = now;

        long Total(string instrument, string tag, string value) =>
            totals.Where(kv => kv.Key.Instrument == instrument && CounterTotals.Tag(kv.Key.Tags, tag) == value).Sum(kv => kv.Value);
        double Rate(string instrument, string tag, string value) =>
            (Total(instrument, tag, value) - previous.Where(kv => kv.Key.Instrument == instrument && CounterTotals.Tag(kv.Key.Tags, tag) == value).Sum(kv => kv.Value)) / seconds;

        var node = _engine.System.Name;
        var table = _engine.Router.Table;
        var types = _engine.Events.All.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new EventTypeView(
            t.Name, Printable(t.Filter), CodecName(t),
            Rate("event_engine.events.published", "event_type", t.Name), Rate("event_engine.events.delivered", "event_type", t.Name),
            Rate("event_engine.events.undecodable", "event_type", t.Name), Total("event_engine.events.published", "event_type", t.Name),
            Total("event_engine.events.delivered", "event_type", t.Name), Total("event_engine.events.undecodable", "event_type", t.Name))).ToList();

        var plugins = new List<PluginView>();
        foreach (var (path, state) in _engine.PluginStates.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            var stopped = Total("event_engine.plugin.stops", "plugin", name) > 0;
            var life = stopped ? "stopped" : state.Finished ? "finished" : state.StartRequested ? "running" : state.Ready ? "ready" : "starting";
            plugins.Add(new PluginView(name, state.SingletonNode is null ? "internal" : "singleton", state.SingletonNode ?? node, life, Total("event_engine.plugin.restarts", "plugin", name),
                Rate("event_engine.plugin.restarts", "plugin", name), Total("event_engine.events.poison", "plugin", name),
                state.Credit.InFlight, !state.Credit.HasRoom));
        }
        var sessions = _engine.Status().ExternalPlugins
            .Select(s => new SessionView(s.Name, SessionGauge.Name(s.Connection), s.QueueDepth)).ToList();
        plugins.AddRange(sessions.Select(s => new PluginView(s.Plugin, "external", node, s.State,
            Total("event_engine.plugin.process_restarts", "plugin", s.Plugin), Rate("event_engine.plugin.process_restarts", "plugin", s.Plugin),
            0, s.QueueDepth, false)));

        var edges = new List<EdgeView>();
        foreach (var ((instrument, tags), total) in totals)
        {
            if (instrument != "event_engine.events.published" || CounterTotals.Tag(tags, "publisher") is not { } publisher) continue;
            var type = CounterTotals.Tag(tags, "event_type")!;
            var before = previous.GetValueOrDefault((instrument, tags));
            edges.Add(new EdgeView(publisher, type, "publish", (total - before) / seconds, total));
        }
        var subscriptions = table.Subscribers.Select(s => new SubscriptionView(s.Subscriber.Path.Name, s.Prefixes.Select(Printable).ToList())).ToList();
        foreach (var type in types)
        {
            var filter = _engine.Events.All.First(t => t.Name == type.Name).Filter;
            foreach (var entry in table.Subscribers.Where(s => s.Prefixes.Any(p => filter.AsSpan().StartsWith(p))))
                edges.Add(new EdgeView(type.Name, entry.Subscriber.Path.Name, "subscribe", type.PublishRate, type.Published));
            if (table.OutsidePrefixes.Any(p => filter.AsSpan().StartsWith(p)))
                edges.Add(new EdgeView(type.Name, "wire", "subscribe", type.PublishRate, type.Published));
        }
        foreach (var pseudo in new[] { "wire", "host" })
            if (edges.Any(e => e.From == pseudo || e.To == pseudo))
                plugins.Add(new PluginView(pseudo, pseudo, node, "running", 0, 0, 0, 0, false));

        var drops = totals.Where(kv => kv.Key.Instrument == "event_engine.events.dropped")
            .GroupBy(kv => CounterTotals.Tag(kv.Key.Tags, "reason") ?? "?").ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        var counters = totals.GroupBy(kv => kv.Key.Instrument).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        return new EngineSnapshot(_engine.Name, node, _engine.Started.IsCompleted ? "running" : "starting", now,
            plugins, types, edges.OrderBy(e => e.Kind).ThenBy(e => e.From).ThenBy(e => e.To).ToList(), subscriptions, sessions,
            table.OutsidePrefixes.Select(Printable).ToList(), drops, counters);
    }

    private static string CodecName(Events.EventType type)
    {
        var codec = type.GetType().GetProperty("Codec")?.GetValue(type)?.GetType().Name ?? "?";
        var tick = codec.IndexOf('`');
        return tick < 0 ? codec : codec[..tick];
    }

    private static string Printable(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(b is >= 0x20 and < 0x7f ? (char)b : $"\\x{b:x2}");
        return text.ToString();
    }
}
