using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>A well-behaved plugin's side of the protocol: a real NetMQ REQ socket on 127.0.0.1.</summary>
internal sealed class PluginPeer : IDisposable
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private readonly RequestSocket _socket = new();

    public PluginPeer(int port, Action<RequestSocket>? configure = null)
    {
        _socket.Options.Linger = TimeSpan.Zero;
        configure?.Invoke(_socket);
        _socket.Connect($"tcp://127.0.0.1:{port}");
    }

    /// <summary>Sends one request and returns the reply's frames (fails after <see cref="ReplyTimeout"/>).</summary>
    public List<byte[]> Request(params byte[][] frames)
    {
        Send(frames);
        return Receive(ReplyTimeout) ?? throw new TimeoutException("no reply within " + ReplyTimeout);
    }

    public string RequestText(string text) => Text(Request(Encoding.UTF8.GetBytes(text)).Single());

    public void Send(params byte[][] frames)
    {
        for (var i = 0; i < frames.Length - 1; i++) _socket.SendMoreFrame(frames[i]);
        _socket.SendFrame(frames[^1]);
    }

    /// <summary>The reply, or null if none came within <paramref name="timeout"/>.</summary>
    public List<byte[]>? Receive(TimeSpan timeout)
    {
        List<byte[]>? frames = null;
        return _socket.TryReceiveMultipartBytes(timeout, ref frames!) ? frames : null;
    }

    /// <summary>Sends next_batch and returns the events of the reply (checking its header).</summary>
    public List<string> NextBatch(int max, int? waitMs = null)
    {
        var reply = Request(Encoding.ASCII.GetBytes(waitMs is null ? $"plugin_command: next_batch {max}" : $"plugin_command: next_batch {max} {waitMs}"));
        Assert.Equal($"event-engine: batch {reply.Count - 1}", Text(reply[0]));
        return reply.Skip(1).Select(Text).ToList();
    }

    /// <summary>Fetches events in batches until <paramref name="count"/> arrived (each fetch acknowledges the previous one).</summary>
    public List<string> Take(int count, int batch = 1000)
    {
        var got = new List<string>(count);
        while (got.Count < count) got.AddRange(NextBatch(Math.Min(batch, count - got.Count)));
        return got;
    }

    /// <summary>Acknowledges the last reply and checks nothing more is queued.</summary>
    public void ExpectNothingMore()
    {
        var more = NextBatch(65536, waitMs: 0);
        Assert.True(more.Count == 0, $"expected nothing more, but {more.Count} more event(s) were queued: {string.Join(", ", more.Take(3).Concat(more.TakeLast(3)).Select(e => e.Length > 60 ? e[..60] + "..." : e))}");
    }

    public static string Text(byte[] frame) => Encoding.UTF8.GetString(frame);

    public void Dispose() => _socket.Dispose();
}
