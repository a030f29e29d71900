using System.Text;

namespace EventEngine.Actors.Gateway;

/// <summary>The replies the engine composes itself (ASCII, all starting with <c>event-engine: </c>).</summary>
internal static class PluginReplies
{
    public static readonly byte[] MsgPublished = "event-engine: msg published"u8.ToArray();

    public static readonly byte[] Timeout = "event-engine: timeout"u8.ToArray();

    public static readonly byte[] EmptyBatch = BatchHeader(0);

    public static byte[] BadMsg(string reason) => Encoding.ASCII.GetBytes($"event-engine: bad msg: {reason}");

    public static byte[] BatchHeader(int count) => Encoding.ASCII.GetBytes($"event-engine: batch {count}");

    public static byte[] Acked(int count) => Encoding.ASCII.GetBytes($"event-engine: acked {count}");

    public static byte[] BatchPublished(int count) => Encoding.ASCII.GetBytes($"event-engine: batch published {count}");
}
