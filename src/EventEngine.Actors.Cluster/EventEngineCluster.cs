using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting;

namespace EventEngine.Actors.Cluster;

/// <summary>
/// Runs an engine as one node of an event space shared by every engine of its Akka cluster (docs/cluster.md): plugins
/// on any node receive the events they subscribe to from every node, in order per publisher, inside flow control.
/// </summary>
public static class EventEngineCluster
{
    /// <summary>
    /// The cluster's reference configuration (hocon/event-engine-cluster.conf): <c>event-engine.cluster</c> and the Akka
    /// defaults the cluster needs (cluster provider, Akka.Remote on 127.0.0.1). Put it under your own configuration as
    /// fallback when you create the actor system yourself.
    /// </summary>
    public static Config ReferenceConfig { get; } = LoadReferenceConfig();

    /// <summary>
    /// Makes the engine a node of its cluster's event space (unless <c>event-engine.cluster.enabled = off</c>). The
    /// actor system must be a cluster member (<c>akka.actor.provider = cluster</c>); joining the cluster is up to it.
    /// </summary>
    /// <exception cref="EventEngineException">At engine start: bad settings, or the actor system is not a cluster system.</exception>
    public static EventEngineBuilder AddCluster(this EventEngineBuilder engine) => engine.AddComponent(new ClusterComponent());

    /// <summary>
    /// Makes the engine that <c>WithEventEngine</c> adds a node of its cluster's event space: the cluster's reference
    /// configuration as fallback and <paramref name="hocon"/> (e.g. <c>event-engine.cluster.link.linger = 5ms</c>) over it. Use it with Akka.Hosting's
    /// <c>WithRemoting(...)</c> and <c>WithClustering(...)</c>, which say where the node listens and which seeds it joins.
    /// </summary>
    /// <example><code>
    /// akka.WithRemoting("127.0.0.1", 4053)
    ///     .WithClustering(new ClusterOptions { SeedNodes = ["akka.tcp://app@127.0.0.1:4053"] })
    ///     .WithEventEngineCluster()
    ///     .WithEventEngine(engine => engine.AddPlugin&lt;Counter&gt;());
    /// </code></example>
    public static AkkaConfigurationBuilder WithEventEngineCluster(this AkkaConfigurationBuilder builder, string? hocon = null)
    {
        if (!string.IsNullOrWhiteSpace(hocon)) builder.AddHocon(hocon, HoconAddMode.Prepend);
        builder.AddHocon(ReferenceConfig, HoconAddMode.Append);
        builder.AddSetup(new EngineComponentSetup([new ClusterComponent()]));
        return builder;
    }

    private static Config LoadReferenceConfig()
    {
        using var stream = typeof(EventEngineCluster).Assembly.GetManifestResourceStream("EventEngine.Actors.Cluster.reference.conf")
            ?? throw new InvalidOperationException("the embedded cluster reference configuration is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
