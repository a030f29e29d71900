namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// Events one node sends another, in publication order: wire frames (filter, then payload) exactly as a TCP
/// subscriber would receive them. <paramref name="Sequence"/> numbers the link's messages (batches and parts) from 1.
/// </summary>
internal sealed record NodeBatch(long Sequence, IReadOnlyList<byte[]> Frames);

/// <summary>
/// One part of a frame too large for a batch (more than <c>link.max-batch-bytes</c>): such a frame travels as
/// consecutive parts of at most <c>max-batch-bytes</c> each, one message per part, numbered in the link's sequence
/// like batches, with nothing of the link in between. <paramref name="Index"/> counts the frame's parts from 0;
/// every part repeats the whole frame's length, <paramref name="FrameLength"/>; the frame is whole once that many
/// bytes have arrived. The receiver publishes it then, in its place among the link's other events.
/// </summary>
internal sealed record NodeFramePart(long Sequence, int Index, int FrameLength, ReadOnlyMemory<byte> Bytes);

/// <summary>The receiving node's subscribers have room again: every message up to <paramref name="Sequence"/> is acknowledged.</summary>
internal sealed record NodeAck(long Sequence);
