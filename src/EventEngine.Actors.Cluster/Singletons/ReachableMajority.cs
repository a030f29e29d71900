using Akka.Cluster;

namespace EventEngine.Actors.Cluster.Singletons;

/// <summary>
/// Whether this node sees a majority of the cluster's members as reachable, itself included: folded from the cluster's
/// member and reachability events. A member counts from Up until it is removed (leaving, exiting or downed included),
/// as the split-brain resolver's keep-majority counts it.
/// </summary>
internal sealed class ReachableMajority
{
    private readonly HashSet<UniqueAddress> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = new();

    /// <summary>The first snapshot has been applied: before it nothing is known.</summary>
    public bool Known { get; private set; }

    public int Members => _members.Count;

    public int Reachable => _members.Count(m => !_unreachable.Contains(m));

    public bool Seen => Known && Reachable * 2 > Members;

    public void Apply(object clusterEvent)
    {
        switch (clusterEvent)
        {
            case ClusterEvent.CurrentClusterState state:
                Known = true;
                _members.Clear();
                _members.UnionWith(state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down)
                    .Select(m => m.UniqueAddress));
                _unreachable.Clear();
                _unreachable.UnionWith(state.Unreachable.Select(m => m.UniqueAddress));
                break;
            case ClusterEvent.MemberUp up:
                _members.Add(up.Member.UniqueAddress);
                break;
            case ClusterEvent.MemberRemoved removed:
                _members.Remove(removed.Member.UniqueAddress);
                _unreachable.Remove(removed.Member.UniqueAddress);
                break;
            case ClusterEvent.UnreachableMember unreachable:
                _unreachable.Add(unreachable.Member.UniqueAddress);
                break;
            case ClusterEvent.ReachableMember reachable:
                _unreachable.Remove(reachable.Member.UniqueAddress);
                break;
        }
    }
}
