using System.Text;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Gateway;

/// <summary>The replies the engine composes itself (ASCII; all but a batch's traceparents start with <c>event-engine: </c>).</summary>
internal static class PluginReplies
{
    public static readonly byte[] MsgPublished = "event-engine: msg published"u8.ToArray();

    public static readonly byte[] Timeout = "event-engine: timeout"u8.ToArray();

    public static readonly byte[] EmptyBatch = BatchHeader(0);

    public static byte[] BadMsg(string reason) => Encoding.ASCII.GetBytes($"event-engine: bad msg: {reason}");

    public static byte[] BatchHeader(int count) => Encoding.ASCII.GetBytes($"event-engine: batch {count}");

    /// <summary>The header of a batch whose last frame is <see cref="Traceparents"/>.</summary>
    public static byte[] TracedBatchHeader(int count) => Encoding.ASCII.GetBytes($"event-engine: batch {count} traceparents");

    /// <summary>
    /// The last frame of a traced batch: the W3C traceparent of each event's publish span, one per event, separated by
    /// LF (an empty line for an event not traced); null when none of them was traced.
    /// </summary>
    public static byte[]? Traceparents(IReadOnlyList<Delivery> batch)
    {
        var traceparents = new string[batch.Count];
        var any = false;
        for (var i = 0; i < batch.Count; i++)
            any |= (traceparents[i] = EngineTracing.TraceparentOf(batch[i].TraceParent) ?? "").Length > 0;
        return any ? Encoding.ASCII.GetBytes(string.Join('\n', traceparents)) : null;
    }

    public static byte[] Acked(int count) => Encoding.ASCII.GetBytes($"event-engine: acked {count}");

    public static byte[] BatchPublished(int count) => Encoding.ASCII.GetBytes($"event-engine: batch published {count}");
}
