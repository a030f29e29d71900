using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Cluster.Links;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Cluster.Directory;

/// <summary>
/// The cluster-wide subscription directory, one per node: a Distributed Data map from each node (address and uid) to
/// the prefixes its subscribers hold. It writes this node's entry whenever the bridge publishes a routing snapshot that
/// changes it, and keeps one <see cref="NodeLink"/> per other member that is Up, subscribed in the routing table with
/// that member's prefixes (zmq prefix semantics, as for any subscriber). A member that is no longer Up loses its link.
/// <para>Start-up: the node's entry is first written once every local participant of the barrier is ready (all its
/// subscriptions active), so an entry another node sees is complete. The cluster's own participant is ready once this
/// node is Up, at least <c>min-nodes</c> members are or were Up (one that left counts), every Up member's entry is
/// known and every link's prefixes are active: the first event a plugin publishes then reaches subscribers on every node already in the cluster.</para>
/// </summary>
internal sealed class SubscriptionDirectory : ReceiveActor
{
    /// <summary>The directory's name under the engine's system actor.</summary>
    public const string Name = "event-engine-cluster-directory";

    /// <summary>The Distributed Data key of the directory: node (<c>address#uid</c>) to its encoded prefixes.</summary>
    internal static readonly LWWDictionaryKey<string, string> Key = new("event-engine-subscriptions");
    private static readonly IWriteConsistency WriteToAll = new WriteAll(TimeSpan.FromSeconds(3));

    private readonly EventEngine _engine;
    private readonly ClusterSettings _settings;
    private readonly LinkCounters _counters;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, IActorRef> _links = new();
    private readonly HashSet<UniqueAddress> _up = new();
    // Every other member seen Up, including those that have left since: they count towards min-nodes, so a node whose
    // peers finished their work and left before it saw them all Up at once does not wait at its barrier for ever.
    private readonly HashSet<UniqueAddress> _wereUp = new();
    private IImmutableDictionary<string, string> _entries = ImmutableDictionary<string, string>.Empty;
    private readonly HashSet<IActorRef> _activeLinks = new();
    private string? _ownEntry;
    private bool _localReady;
    private bool _selfUp;
    private bool _barrierPassed;

    public SubscriptionDirectory(EventEngine engine, ClusterSettings settings)
    {
        _engine = engine;
        _settings = settings;
        _counters = new LinkCounters(engine.Metrics);
        Receive<RoutingChanged>(r =>
        {
            var entry = NodePrefixes.Of(r.Table, Self.Path);
            if (entry == _ownEntry) return;
            _ownEntry = entry;
            WriteOwnEntry();
        });
        Receive<Changed>(c =>
        {
            _entries = c.Get(Key).Entries;
            Reconcile();
        });
        Receive<LocalParticipantsReady>(_ =>
        {
            _localReady = true;
            WriteOwnEntry();
            CheckBarrier();
        });
        Receive<LinkActive>(_ =>
        {
            if (_links.ContainsValue(Sender)) _activeLinks.Add(Sender);
            CheckBarrier();
        });
        Receive<ClusterEvent.MemberUp>(m =>
        {
            if (m.Member.UniqueAddress == _cluster.SelfUniqueAddress)
            {
                _selfUp = true;
                CheckBarrier();
                return;
            }
            _up.Add(m.Member.UniqueAddress);
            _wereUp.Add(m.Member.UniqueAddress);
            WriteOwnEntry(); // straight to the newcomer, not in a gossip round
            Reconcile();
        });
        Receive<ClusterEvent.UnreachableMember>(m => LinkOf(m.Member)?.Tell(new PeerReachability(false)));
        Receive<ClusterEvent.ReachableMember>(m => LinkOf(m.Member)?.Tell(new PeerReachability(true)));
        Receive<ClusterEvent.IMemberEvent>(m =>
        {
            // Leaving and exiting come only after Up (gossip may skip the Up this node would have seen).
            var wasUp = m is ClusterEvent.MemberLeft or ClusterEvent.MemberExited && m.Member.UniqueAddress != _cluster.SelfUniqueAddress
                && _wereUp.Add(m.Member.UniqueAddress);
            if (_up.Remove(m.Member.UniqueAddress)) Reconcile(); // which checks the barrier
            else if (wasUp) CheckBarrier();
            if (m is ClusterEvent.MemberRemoved) ForgetEntry(m.Member.UniqueAddress);
        });
        Receive<Terminated>(t =>
        {
            // A link that failed: what it held is already counted; a new one takes over if its member is still Up.
            var member = _links.FirstOrDefault(l => l.Value.Equals(t.ActorRef)).Key;
            if (member is null) return;
            _links.Remove(member);
            _activeLinks.Remove(t.ActorRef);
            Reconcile();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Debug("Subscription directory: {0}; gossip will spread the entry", f));
    }

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        _engine.Bridge.Tell(new ObserveRouting(Self));
        _engine.LocalParticipantsReady.PipeTo(Self, success: () => LocalParticipantsReady.Instance);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private IActorRef? LinkOf(Member member) => _links.GetValueOrDefault(member.UniqueAddress);

    /// <summary>A node's key in the directory: its address and uid (a node that comes back has another uid).</summary>
    internal static string KeyOf(UniqueAddress node) => $"{node.Address}#{node.Uid}";

    private void WriteOwnEntry()
    {
        if (!_localReady || _ownEntry is not { } entry) return;
        var self = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, WriteToAll,
            map => map.SetItem(self, KeyOf(self), entry)));
    }

    // A removed node never comes back with the same uid: every node that still holds its entry removes it (a remove
    // only drops what that node has seen, so any node that saw the entry must do it), and gossip spreads the removal.
    private void ForgetEntry(UniqueAddress removed)
    {
        if (removed == _cluster.SelfUniqueAddress || !_entries.ContainsKey(KeyOf(removed))) return;
        var self = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
            map => map.Remove(self, KeyOf(removed))));
    }

    private void Reconcile()
    {
        foreach (var (member, link) in _links.Where(l => !_up.Contains(l.Key)).ToList())
        {
            _log.Info("Node {0} is no longer Up: its link stops", member.Address);
            Context.Unwatch(link);
            Context.Stop(link);
            _links.Remove(member);
            _activeLinks.Remove(link);
        }
        foreach (var member in _up)
        {
            if (!_entries.TryGetValue(KeyOf(member), out var entry)) continue; // its subscriptions are not known yet
            var prefixes = NodePrefixes.Decode(entry, out var malformed);
            if (malformed > 0)
                _log.Warning("Node {0}'s directory entry has {1} malformed prefix(es); they are ignored", member.Address, malformed);
            if (!_links.TryGetValue(member, out var link))
            {
                link = Context.ActorOf(Props.Create(() => new NodeLink(_engine, member.Address, _settings.Link, _counters)), $"link-{member.Uid}");
                Context.Watch(link);
                _links[member] = link;
                _log.Info("Node {0} is Up: linked", member.Address);
                if (_cluster.State.Unreachable.Any(m => m.UniqueAddress == member)) link.Tell(new PeerReachability(false));
            }
            link.Tell(new LinkPrefixes(prefixes));
        }
        CheckBarrier();
    }

    private void CheckBarrier()
    {
        if (_barrierPassed || !_localReady || !_selfUp || _wereUp.Count + 1 < _settings.MinNodes) return;
        if (_up.Any(m => !_links.TryGetValue(m, out var link) || !_activeLinks.Contains(link))) return;
        _barrierPassed = true;
        _log.Info("Cluster: {0} node(s) Up with their subscriptions known{1}; this node's plugins may start", _up.Count + 1,
            _wereUp.Count > _up.Count ? $" ({_wereUp.Count - _up.Count} more were Up and have left)" : "");
        _engine.Supervisor.Tell(new ParticipantReady(ClusterComponent.ParticipantName));
        _engine.Supervisor.Tell(new ParticipantFinished(ClusterComponent.ParticipantName));
    }

    private sealed class LocalParticipantsReady
    {
        public static readonly LocalParticipantsReady Instance = new();
    }
}
