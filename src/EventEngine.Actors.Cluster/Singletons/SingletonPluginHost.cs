using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Cluster.Singletons;

/// <summary>
/// The cluster singleton of one singleton plugin: the plugin's parent on the node where it runs, as the engine's
/// supervisor is for other plugins. It restarts the plugin within the supervision limits, starts it once its
/// subscriptions are active and this node's engine has passed its start-up barrier, and, when it stops (the singleton
/// moves to another node), forgets the plugin's state here so a later instance on this node starts afresh.
/// </summary>
/// <remarks>
/// In a cluster it also fences the plugin: while this node does not see a majority of the members as reachable, the
/// other side of a partition may down this node and start another instance, so the plugin is stopped here at once (not
/// when the split-brain resolver decides, seconds later), and a new instance starts if the majority comes back while this
/// node still hosts the singleton. That is why the other side needs only a short removal margin before it starts its
/// instance (<c>event-engine.cluster.singleton.removal-margin</c>; docs/cluster.md, "Singleton plugins").
/// </remarks>
internal sealed class SingletonPluginHost : ReceiveActor
{
    private readonly EventEngine _engine;
    private readonly PluginRegistration _registration;
    private readonly string _node;
    private readonly PluginSupervisionStrategy _strategy;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ReachableMajority? _majority;
    private IActorRef? _plugin;
    private IActorRef? _stoppedByFence;
    private bool _fenced;

    public SingletonPluginHost(EventEngine engine, PluginRegistration registration, string node, bool fence)
    {
        _engine = engine;
        _registration = registration;
        _node = node;
        _strategy = new PluginSupervisionStrategy(engine.Settings.Supervision);
        if (fence) _majority = new ReachableMajority();
        Receive<PluginReady>(_ =>
        {
            var plugin = Sender;
            _engine.Started.PipeTo(Self, success: () => new EngineStarted(plugin));
        });
        Receive<EngineStarted>(s =>
        {
            if (s.Plugin.Equals(_plugin)) s.Plugin.Tell(StartPlugin.Instance);
        });
        Receive<PluginFinished>(_ => _log.Info("Singleton plugin {0} finished; it does not run again in this cluster until its node leaves", registration.Name));
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_stoppedByFence))
            {
                _engine.ForgetPlugin(t.ActorRef);
                _stoppedByFence = null;
                if (!_fenced) StartInstance(); // the majority came back while it stopped
                return;
            }
            if (!t.ActorRef.Equals(_plugin)) return;
            _strategy.ReportIfStopped(t.ActorRef, registration.Name, engine, _log);
            Context.Stop(Self);
        });
        Receive<ClusterEvent.CurrentClusterState>(Fence);
        Receive<ClusterEvent.IClusterDomainEvent>(Fence);
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void PreStart()
    {
        if (_majority is not null)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        StartInstance();
        _log.Info("Singleton plugin {0} runs on this node ({1})", _registration.Name, _node);
    }

    protected override void PostStop()
    {
        if (_majority is not null) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        if (_plugin is not null) _engine.ForgetPlugin(_plugin);
        if (_stoppedByFence is not null) _engine.ForgetPlugin(_stoppedByFence);
        _log.Info("Singleton plugin {0} stopped on this node ({1})", _registration.Name, _node);
    }

    private void StartInstance()
    {
        _plugin = Context.Watch(Context.ActorOf(_registration.RunProps(_engine.Settings), _registration.Name));
        _engine.PluginStateOf(_plugin).SingletonNode = _node;
    }

    private void Fence(object clusterEvent)
    {
        var majority = _majority!;
        majority.Apply(clusterEvent);
        if (!majority.Known) return;
        if (!majority.Seen && !_fenced)
        {
            _fenced = true;
            _log.Warning("Singleton plugin {0} stops on this node ({1}): it sees {2} of {3} members reachable, not a majority, so the other side may run it; it runs here again if a majority is reachable again while this node still hosts it",
                _registration.Name, _node, majority.Reachable, majority.Members);
            if (_plugin is null) return;
            _stoppedByFence = _plugin;
            _plugin = null;
            Context.Stop(_stoppedByFence);
        }
        else if (majority.Seen && _fenced)
        {
            _fenced = false;
            _log.Info("Singleton plugin {0} runs again on this node ({1}): {2} of {3} members are reachable", _registration.Name, _node, majority.Reachable, majority.Members);
            if (_stoppedByFence is null) StartInstance(); // else it starts when the stopped instance has terminated
        }
    }

    private sealed record EngineStarted(IActorRef Plugin);
}
