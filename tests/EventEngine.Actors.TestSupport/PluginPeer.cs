using System.Buffers.Binary;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.TestSupport;

/// <summary>A well-behaved plugin's side of the protocol: a real NetMQ REQ socket on 127.0.0.1.</summary>
public sealed class PluginPeer : IDisposable
{
    /// <summary>How long <see cref="Request"/> waits for a reply unless the constructor was given another timeout.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private readonly RequestSocket _socket = new();
    private readonly TimeSpan _replyTimeout;

    /// <param name="port">The plugin port of the engine.</param>
    /// <param name="configure">Adjusts the socket before it connects (e.g. CURVE keys).</param>
    /// <param name="replyTimeout">How long <see cref="Request"/> waits for a reply (default <see cref="ReplyTimeout"/>).</param>
    public PluginPeer(int port, Action<RequestSocket>? configure = null, TimeSpan? replyTimeout = null)
    {
        _replyTimeout = replyTimeout ?? ReplyTimeout;
        _socket.Options.Linger = TimeSpan.Zero;
        configure?.Invoke(_socket);
        _socket.Connect($"tcp://127.0.0.1:{port}");
    }

    /// <summary>Sends one request and returns the reply's frames (fails after the reply timeout).</summary>
    public List<byte[]> Request(params byte[][] frames)
    {
        Send(frames);
        return Receive(_replyTimeout) ?? throw new TimeoutException("no reply within " + _replyTimeout);
    }

    public string RequestText(string text) => Text(Request(Encoding.UTF8.GetBytes(text)).Single());

    public void Send(params byte[][] frames)
    {
        for (var i = 0; i < frames.Length - 1; i++) _socket.SendMoreFrame(frames[i]);
        _socket.SendFrame(frames[^1]);
    }

    public void SendText(string text) => Send(Encoding.UTF8.GetBytes(text));

    /// <summary>The reply, or null if none came within <paramref name="timeout"/>.</summary>
    public List<byte[]>? Receive(TimeSpan timeout)
    {
        List<byte[]>? frames = null;
        return _socket.TryReceiveMultipartBytes(timeout, ref frames!) ? frames : null;
    }

    public string NextMsg() => RequestText("plugin_command: next_msg");

    /// <summary>Sends next_batch and returns the events of the reply (checking its header).</summary>
    public List<string> NextBatch(int max, int? waitMs = null)
    {
        var reply = Request(Encoding.ASCII.GetBytes(waitMs is null ? $"plugin_command: next_batch {max}" : $"plugin_command: next_batch {max} {waitMs}"));
        Assert.Equal($"event-engine: batch {reply.Count - 1}", Text(reply[0]));
        return reply.Skip(1).Select(Text).ToList();
    }

    /// <summary>
    /// Fetches events in batches until <paramref name="count"/> arrived (each fetch acknowledges the previous one);
    /// fails after <paramref name="timeout"/> (default <see cref="Wait.Long"/>) naming how many came.
    /// </summary>
    public List<string> Take(int count, int batch = 1000, TimeSpan? timeout = null)
    {
        var got = new List<string>(count);
        var deadline = Deadline.In(timeout ?? Wait.Long, () => $"{count} events (got {got.Count})");
        while (got.Count < count)
        {
            deadline.ThrowIfPassed();
            got.AddRange(NextBatch(Math.Min(batch, count - got.Count)));
        }
        return got;
    }

    /// <summary>Acknowledges the last reply and checks nothing more is queued.</summary>
    public void ExpectNothingMore()
    {
        var more = NextBatch(65536, waitMs: 0);
        Assert.True(more.Count == 0, $"expected nothing more, but {more.Count} more event(s) were queued: {string.Join(", ", more.Take(3).Concat(more.TakeLast(3)).Select(e => e.Length > 60 ? e[..60] + "..." : e))}");
    }

    public string PublishBatch(IEnumerable<string> events) => Text(Request(PublishBatchRequest(events.Select(Encoding.UTF8.GetBytes))).Single());

    /// <summary>A publish_batch request: the command line, then each event as a big-endian 32-bit length and its bytes.</summary>
    public static byte[] PublishBatchRequest(IEnumerable<byte[]> events)
    {
        var body = new List<byte>("plugin_command: publish_batch\n"u8.ToArray());
        foreach (var e in events)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)e.Length);
            body.AddRange(length);
            body.AddRange(e);
        }
        return body.ToArray();
    }

    public static string Text(byte[] frame) => Encoding.UTF8.GetString(frame);

    public void Dispose() => _socket.Dispose();
}
