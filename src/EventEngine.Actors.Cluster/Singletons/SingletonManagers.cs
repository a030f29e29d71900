using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace EventEngine.Actors.Cluster.Singletons;

/// <summary>
/// Parent of this node's <c>ClusterSingletonManager</c>s, one per singleton plugin. A manager stops by design when this
/// node is downed or removed from the cluster (the engine then shuts down with the node: Akka's CoordinatedShutdown); any
/// other stop means a singleton plugin can no longer run here, so this actor stops too, which takes the engine down
/// (<c>EngineGuardian</c>) with an error naming the manager.
/// </summary>
internal sealed class SingletonManagers : ReceiveActor
{
    /// <summary>Its name under the engine's system actor.</summary>
    public const string Name = "event-engine-singletons";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<string> _stopped = new();

    public SingletonManagers(IReadOnlyList<(Props Props, string Name)> managers)
    {
        foreach (var (props, name) in managers) Context.Watch(Context.ActorOf(props, name));
        Receive<Terminated>(t =>
        {
            _stopped.Add(t.ActorRef.Path.Name);
            // The manager stopped on a member event; the publisher's snapshot, sent after that event, says which.
            _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _cluster.Unsubscribe(Self);
            if (_stopped.Count == 0) return; // a second snapshot, for a manager already accounted for
            var self = state.Members.FirstOrDefault(m => m.UniqueAddress == _cluster.SelfUniqueAddress);
            if (self is null || self.Status is MemberStatus.Down or MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Removed)
            {
                _log.Info("{0} stopped: this node is {1}", string.Join(", ", _stopped), self?.Status.ToString() ?? "no longer a member");
                _stopped.Clear();
                return;
            }
            _log.Error("{0} stopped while this node is {1}: its singleton plugin(s) can no longer run here", string.Join(", ", _stopped), self.Status);
            Context.Stop(Self);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
