using Akka;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Cluster.Directory;
using EventEngine.Actors.Cluster.Links;
using EventEngine.Actors.Cluster.Singletons;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.Cluster;

/// <summary>The engine's cluster part: checks the actor system is a cluster member with the links' serializer, and starts the inbox, the subscription directory and the singleton plugins' managers.</summary>
internal sealed class ClusterComponent : IEngineComponent
{
    /// <summary>The cluster's name in the start-up barrier.</summary>
    public const string ParticipantName = "cluster";

    public IReadOnlyCollection<string> ParticipantNames => [ParticipantName];

    public IReadOnlyCollection<string> LateParticipantNames => [ParticipantName];

    public bool RunsSingletonPlugins => true;

    public void Start(EventEngine engine)
    {
        var system = (ExtendedActorSystem)engine.System;
        system.Settings.InjectTopLevelFallback(EventEngineCluster.ReferenceConfig);
        var settings = ClusterSettings.From(system.Settings.Config);
        if (!settings.Enabled)
        {
            engine.Supervisor.Tell(new ParticipantReady(ParticipantName));
            engine.Supervisor.Tell(new ParticipantFinished(ParticipantName));
            SingletonPlacement.Start(engine, settings);
            return;
        }
        if (system.Provider is not Akka.Cluster.ClusterActorRefProvider)
            throw new EventEngineException(
                $"event-engine.cluster is enabled but actor system '{system.Name}' was not created with akka.actor.provider = cluster " +
                "(Akka.Hosting: WithClustering(...); a configuration of your own: put EventEngineCluster.ReferenceConfig under it as fallback)");
        if (system.Serialization.FindSerializerForType(typeof(NodeBatch)) is not LinkSerializer)
            throw new EventEngineException(
                $"actor system '{system.Name}' was created without the cluster's serializer binding: put EventEngineCluster.ReferenceConfig under its configuration as fallback (WithEventEngineCluster does)");
        LogWhenDowned(system);
        engine.Spawn(Props.Create(() => new NodeInbox(engine)), NodeInbox.Name);
        engine.Spawn(Props.Create(() => new SubscriptionDirectory(engine, settings)), SubscriptionDirectory.Name);
        SingletonPlacement.Start(engine, settings);
    }

    // Akka shuts a downed node down (akka.cluster.run-coordinated-shutdown-when-down); this says so in one line.
    private static void LogWhenDowned(ActorSystem system)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "event-engine-cluster-downed", () =>
        {
            if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
                Logging.GetLogger(system, "EventEngine.Cluster").Warning(
                    "This node ({0}) was downed by the cluster (the split-brain resolver's decision, logged before this line, or a manual Down): " +
                    "the engine shuts down and this actor system never rejoins; restart the process to join the cluster again",
                    Akka.Cluster.Cluster.Get(system).SelfAddress);
            return Task.FromResult(Done.Instance);
        });
    }
}
