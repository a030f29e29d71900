using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Cluster.Singletons;

/// <summary>Where the engine's singleton plugins run: once in the cluster (Akka's ClusterSingletonManager on every node), or here when the cluster is off.</summary>
internal static class SingletonPlacement
{
    /// <summary>The name of a singleton plugin's manager under the engine's system actor.</summary>
    public static string ManagerName(string plugin) => $"singleton-{plugin}";

    public static void Start(EventEngine engine, bool clusterEnabled)
    {
        if (!clusterEnabled)
        {
            foreach (var registration in engine.SingletonPlugins)
                engine.Spawn(HostProps(engine, registration, engine.System.Name), ManagerName(registration.Name));
            return;
        }
        if (engine.SingletonPlugins.Count == 0) return;
        var node = Akka.Cluster.Cluster.Get(engine.System).SelfAddress.ToString();
        // PoisonPill on hand-over: the plugin stops at once; what its mailbox still holds is dropped and counted
        // (subscriber-stopped), and the next instance receives what is published once its subscriptions are known.
        var managers = engine.SingletonPlugins.Select(registration => (ClusterSingletonManager.Props(HostProps(engine, registration, node),
            PoisonPill.Instance, ClusterSingletonManagerSettings.Create(engine.System)), ManagerName(registration.Name))).ToList();
        engine.Spawn(Props.Create(() => new SingletonManagers(managers)), SingletonManagers.Name);
    }

    private static Props HostProps(EventEngine engine, PluginRegistration registration, string node) =>
        Props.Create(() => new SingletonPluginHost(engine, registration, node));
}
