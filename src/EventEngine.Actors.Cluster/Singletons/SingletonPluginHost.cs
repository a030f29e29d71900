using Akka.Actor;
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
internal sealed class SingletonPluginHost : ReceiveActor
{
    private readonly EventEngine _engine;
    private readonly PluginRegistration _registration;
    private readonly string _node;
    private readonly PluginSupervisionStrategy _strategy;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _plugin = ActorRefs.Nobody;

    public SingletonPluginHost(EventEngine engine, PluginRegistration registration, string node)
    {
        _engine = engine;
        _registration = registration;
        _node = node;
        _strategy = new PluginSupervisionStrategy(engine.Settings.Supervision);
        Receive<PluginReady>(_ => _engine.Started.PipeTo(Self, success: () => EngineStarted.Instance));
        Receive<EngineStarted>(_ => _plugin.Tell(StartPlugin.Instance));
        Receive<PluginFinished>(_ => _log.Info("Singleton plugin {0} finished; it does not run again in this cluster until its node leaves", registration.Name));
        Receive<Terminated>(t =>
        {
            _strategy.ReportIfStopped(t.ActorRef, registration.Name, engine, _log);
            Context.Stop(Self);
        });
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override void PreStart()
    {
        var props = _registration.Props.WithDispatcher(_engine.Settings.DispatcherFor(_registration.Name));
        _plugin = Context.Watch(Context.ActorOf(props, _registration.Name));
        _engine.PluginStateOf(_plugin).SingletonNode = _node;
        _log.Info("Singleton plugin {0} runs on this node ({1})", _registration.Name, _node);
    }

    protected override void PostStop()
    {
        _engine.ForgetPlugin(_plugin);
        _log.Info("Singleton plugin {0} stopped on this node ({1})", _registration.Name, _node);
    }

    private sealed class EngineStarted
    {
        public static readonly EngineStarted Instance = new();
    }
}
