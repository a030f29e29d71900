using System.Buffers.Binary;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>A plugin process's side of the protocol: a real NetMQ REQ socket on 127.0.0.1.</summary>
internal sealed class PluginPeer : IDisposable
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);
    private readonly RequestSocket _socket = new();

    public PluginPeer(int port)
    {
        _socket.Options.Linger = TimeSpan.Zero;
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
        var header = Text(reply[0]);
        Assert.Equal($"event-engine: batch {reply.Count - 1}", header);
        return reply.Skip(1).Select(Text).ToList();
    }

    public string PublishBatch(IEnumerable<string> events) => Text(Request(PublishBatchRequest(events.Select(Encoding.UTF8.GetBytes))).Single());

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
