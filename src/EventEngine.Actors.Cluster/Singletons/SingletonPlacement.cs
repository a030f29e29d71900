using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Cluster.Singletons;

/// <summary>Where the engine's singleton plugins run: once in the cluster (Akka's ClusterSingletonManager on every node), or here when the cluster is off.</summary>
internal static class SingletonPlacement
{
    /// <summary>The name of a singleton plugin's manager under the engine's system actor.</summary>
    public static string ManagerName(string plugin) => $"singleton-{plugin}";

    public static void Start(EventEngine engine, ClusterSettings settings)
    {
        if (!settings.Enabled)
        {
            foreach (var registration in engine.SingletonPlugins)
                engine.Spawn(HostProps(engine, registration, engine.System.Name, fence: false), ManagerName(registration.Name));
            return;
        }
        if (engine.SingletonPlugins.Count == 0) return;
        var node = Akka.Cluster.Cluster.Get(engine.System).SelfAddress.ToString();
        // PoisonPill on hand-over: the plugin stops at once; what its mailbox still holds is dropped and counted
        // (subscriber-stopped), and the next instance receives what is published once its subscriptions are known.
        // The host stops the plugin as soon as its node loses sight of a majority, so the other side need not wait
        // Akka's default margin (stable-after with the split-brain resolver) before it starts a new instance.
        var managerSettings = ClusterSingletonManagerSettings.Create(engine.System).WithRemovalMargin(settings.SingletonRemovalMargin);
        var managers = engine.SingletonPlugins.Select(registration => (ClusterSingletonManager.Props(HostProps(engine, registration, node, fence: true),
            PoisonPill.Instance, managerSettings), ManagerName(registration.Name))).ToList();
        engine.Spawn(Props.Create(() => new SingletonManagers(managers)), SingletonManagers.Name);
    }

    private static Props HostProps(EventEngine engine, PluginRegistration registration, string node, bool fence) =>
        Props.Create(() => new SingletonPluginHost(engine, registration, node, fence));
}
