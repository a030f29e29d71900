namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// Events one node sends another, in publication order: wire frames (filter, then payload) exactly as a TCP
/// subscriber would receive them. <paramref name="Sequence"/> numbers the link's batches from 1.
/// </summary>
internal sealed record NodeBatch(long Sequence, IReadOnlyList<byte[]> Frames);

/// <summary>The receiving node's subscribers have room again: every batch up to <paramref name="Sequence"/> is acknowledged.</summary>
internal sealed record NodeAck(long Sequence);
