namespace EventEngine.Actors.Dashboard;

/// <summary>What the dashboard shows of an engine at one moment (the JSON of <c>api/state</c> and of each stream event).</summary>
/// <param name="Engine">The engine's name.</param>
/// <param name="Node">The node (actor system) it runs on.</param>
/// <param name="State">starting (before the start-up barrier) or running.</param>
/// <param name="Time">When the snapshot was taken (UTC).</param>
/// <param name="Plugins">Internal, external and singleton plugins (a singleton where it runs now), plus the <c>wire</c> and <c>host</c> when they publish or subscribe.</param>
/// <param name="EventTypes">Registered event types with their rates.</param>
/// <param name="Edges">Publish (plugin → type) and subscribe (type → plugin) edges with live rates.</param>
/// <param name="Subscriptions">Each subscriber's prefixes.</param>
/// <param name="Sessions">External plugin sessions.</param>
/// <param name="WireSubscribers">The prefixes outside subscribers hold on the subscribe port.</param>
/// <param name="Drops">Events dropped, by reason (totals).</param>
/// <param name="Counters">Every counter of the engine's meter, summed over its tags.</param>
public sealed record EngineSnapshot(
    string Engine, string Node, string State, DateTimeOffset Time,
    IReadOnlyList<PluginView> Plugins, IReadOnlyList<EventTypeView> EventTypes, IReadOnlyList<EdgeView> Edges,
    IReadOnlyList<SubscriptionView> Subscriptions, IReadOnlyList<SessionView> Sessions,
    IReadOnlyList<string> WireSubscribers, IReadOnlyDictionary<string, long> Drops, IReadOnlyDictionary<string, long> Counters);

/// <summary>One plugin.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Kind">internal, external, singleton (runs once in the cluster, here now), wire (processes on the TCP ports) or host (code outside plugins).</param>
/// <param name="Node">The node it runs on (a singleton: its node's cluster address).</param>
/// <param name="State">internal: starting, ready, running, finished, stopped; external: waiting, connected, disconnected, finished.</param>
/// <param name="Restarts">Restarts so far (internal) or process restarts (external).</param>
/// <param name="RestartRate">Restarts per second lately (a restart storm shows here).</param>
/// <param name="Poison">Events its handlers threw on.</param>
/// <param name="QueueDepth">Deliveries of its own events not yet handled (internal) or events queued for it (external).</param>
/// <param name="Paused">Flow control holds it back as a source.</param>
public sealed record PluginView(string Name, string Kind, string Node, string State, long Restarts, double RestartRate, long Poison, int QueueDepth, bool Paused);

/// <summary>One event type.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Filter">Its filter prefix (ASCII, non-printable bytes escaped).</param>
/// <param name="Codec">Its codec's name.</param>
/// <param name="PublishRate">Published per second.</param>
/// <param name="DeliverRate">Delivered per second (one per subscriber).</param>
/// <param name="UndecodableRate">Frames per second that matched its filter and failed to decode.</param>
/// <param name="Published">Published so far.</param>
/// <param name="Delivered">Delivered so far.</param>
/// <param name="Undecodable">Undecodable frames so far.</param>
public sealed record EventTypeView(string Name, string Filter, string Codec, double PublishRate, double DeliverRate, double UndecodableRate,
    long Published, long Delivered, long Undecodable);

/// <summary>One edge of the graph.</summary>
/// <param name="From">A plugin (publish) or an event type (subscribe).</param>
/// <param name="To">An event type (publish) or a plugin (subscribe).</param>
/// <param name="Kind">publish or subscribe.</param>
/// <param name="Rate">Events per second along it.</param>
/// <param name="Total">Events along it so far.</param>
public sealed record EdgeView(string From, string To, string Kind, double Rate, long Total);

/// <summary>One subscriber's prefixes.</summary>
/// <param name="Plugin">The subscriber.</param>
/// <param name="Prefixes">Its prefixes.</param>
public sealed record SubscriptionView(string Plugin, IReadOnlyList<string> Prefixes);

/// <summary>One external plugin's session.</summary>
/// <param name="Plugin">The plugin.</param>
/// <param name="State">waiting, connected, disconnected or finished.</param>
/// <param name="QueueDepth">Events queued for it.</param>
public sealed record SessionView(string Plugin, string State, int QueueDepth);
