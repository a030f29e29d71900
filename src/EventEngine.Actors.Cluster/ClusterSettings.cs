using Akka.Configuration;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Cluster;

/// <summary>The settings of <c>event-engine.cluster</c> (hocon/event-engine-cluster.conf).</summary>
/// <param name="Enabled">The engine joins the event space of its cluster.</param>
/// <param name="MinNodes">Members (this node included) that must be or have been Up before the start-up barrier passes.</param>
/// <param name="Link">How events are batched between nodes.</param>
/// <param name="SingletonRemovalMargin">How long after a singleton plugin's node was removed another node starts it.</param>
public sealed record ClusterSettings(bool Enabled, int MinNodes, LinkSettings Link, TimeSpan SingletonRemovalMargin)
{
    /// <summary>Reads <c>event-engine.cluster</c> from a configuration that has the cluster reference as fallback.</summary>
    /// <exception cref="EventEngineException">A value of the wrong kind, naming the key.</exception>
    public static ClusterSettings From(Config config)
    {
        var c = config.GetConfig(EngineSettings.Root) ?? throw new EventEngineException($"configuration has no '{EngineSettings.Root}' section");
        // An event larger than a batch now crosses in parts; the limit is the engine's own: a stale key must not be ignored.
        if (c.HasPath("cluster.link.max-event-size"))
            throw Setting.Invalid(c, "cluster.link.max-event-size", "nothing: the key was removed (large events cross nodes in parts; their limit is event-engine.wire.max-message-size)");
        var linger = Setting.Duration(c, "cluster.link.linger");
        if (linger < TimeSpan.Zero) throw Setting.Invalid(c, "cluster.link.linger", "a duration of 0 or more");
        // Akka takes 0 as "use the downing provider's margin" (stable-after with the split-brain resolver): refused.
        var removalMargin = Setting.Duration(c, "cluster.singleton.removal-margin");
        if (removalMargin <= TimeSpan.Zero) throw Setting.Invalid(c, "cluster.singleton.removal-margin", "a duration above 0");
        return new ClusterSettings(
            Setting.Bool(c, "cluster.enabled"),
            Positive(c, "cluster.min-nodes"),
            new LinkSettings(
                Positive(c, "cluster.link.max-batch-count"),
                PositiveSize(c, "cluster.link.max-batch-bytes"),
                linger,
                Positive(c, "cluster.link.max-parts-in-flight"),
                Setting.Duration(c, "cluster.link.unreachable-grace")),
            removalMargin);
    }

    private static int Positive(Config c, string path)
    {
        var value = Setting.Int(c, path);
        if (value < 1) throw Setting.Invalid(c, path, "a whole number of at least 1");
        return value;
    }

    private static int PositiveSize(Config c, string path)
    {
        var value = Setting.ByteSize(c, path) ?? 0;
        if (value is < 1 or > int.MaxValue) throw Setting.Invalid(c, path, "a size of at least 1 byte, such as 64KiB");
        return (int)value;
    }
}

/// <summary>How a link batches the events it sends to one node (<c>event-engine.cluster.link</c>).</summary>
/// <param name="MaxBatchCount">Events at which a batch is sent.</param>
/// <param name="MaxBatchBytes">Bytes of frames a batch holds at most; a larger frame is sent in parts of this size.</param>
/// <param name="Linger">How long the first event of a batch waits for more.</param>
/// <param name="MaxPartsInFlight">Messages a link sending a large event in parts lets wait for the peer's acknowledgement.</param>
/// <param name="UnreachableGrace">How long a link to an unreachable node holds what it carries before dropping it.</param>
public sealed record LinkSettings(int MaxBatchCount, int MaxBatchBytes, TimeSpan Linger, int MaxPartsInFlight, TimeSpan UnreachableGrace);
