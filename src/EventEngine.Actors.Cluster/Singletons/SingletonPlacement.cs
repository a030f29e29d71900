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
        foreach (var registration in engine.SingletonPlugins)
        {
            if (!clusterEnabled)
            {
                engine.Spawn(HostProps(engine, registration, engine.System.Name), ManagerName(registration.Name));
                continue;
            }
            var node = Akka.Cluster.Cluster.Get(engine.System).SelfAddress.ToString();
            // PoisonPill on hand-over: the plugin stops at once; what its mailbox still holds is dropped and counted
            // (subscriber-stopped), and the next instance receives what is published once its subscriptions are known.
            engine.Spawn(ClusterSingletonManager.Props(HostProps(engine, registration, node), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(engine.System)), ManagerName(registration.Name));
        }
    }

    private static Props HostProps(EventEngine engine, PluginRegistration registration, string node) =>
        Props.Create(() => new SingletonPluginHost(engine, registration, node));
}
