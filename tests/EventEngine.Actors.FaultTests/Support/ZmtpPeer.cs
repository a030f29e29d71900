using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>
/// A hand-written ZMTP 3.0 peer (NULL mechanism) over a plain TCP socket: it can do what no well-behaved zmq library
/// does, such as announce a frame larger than any limit, stop in the middle of a frame, or write frames without
/// ever dropping one (a real PUB drops at its high-water mark). Blocking I/O with timeouts; one thread at a time.
/// </summary>
internal sealed class ZmtpPeer : IDisposable
{
    private const byte More = 0x01;
    private const byte Long = 0x02;
    private const byte Command = 0x04;
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private ZmtpPeer(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>; with <paramref name="handshake"/>, greets and exchanges READY as <paramref name="socketType"/>.</summary>
    public static ZmtpPeer Connect(int port, string socketType, bool handshake = true)
    {
        var tcp = new TcpClient { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        tcp.Connect("127.0.0.1", port);
        var peer = new ZmtpPeer(tcp);
        if (handshake) peer.Handshake(socketType);
        return peer;
    }

    /// <summary>The 64-byte ZMTP 3.0 greeting of a NULL-mechanism client.</summary>
    public static byte[] Greeting()
    {
        var greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3; // version 3.0
        Encoding.ASCII.GetBytes("NULL").CopyTo(greeting, 12);
        return greeting;
    }

    private void Handshake(string socketType)
    {
        _stream.Write(Greeting());
        var theirs = new byte[64];
        _stream.ReadExactly(theirs);
        if (theirs[0] != 0xFF || theirs[10] < 3) throw new IOException("not a ZMTP 3 peer");
        var ready = new List<byte> { 5 };
        ready.AddRange("READY"u8.ToArray());
        Property(ready, "Socket-Type", socketType);
        if (socketType is "REQ" or "DEALER" or "ROUTER") Property(ready, "Identity", "");
        WriteFrame(ready.ToArray(), Command);
        var (flags, body) = ReadFrame();
        if ((flags & Command) == 0 || body.Length < 6 || Encoding.ASCII.GetString(body, 1, 5) != "READY")
            throw new IOException("the peer did not answer READY");
    }

    private static void Property(List<byte> into, string name, string value)
    {
        into.Add((byte)name.Length);
        into.AddRange(Encoding.ASCII.GetBytes(name));
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        into.AddRange(length);
        into.AddRange(Encoding.ASCII.GetBytes(value));
    }

    /// <summary>Sends one message of one or more frames.</summary>
    public void Send(params byte[][] frames)
    {
        for (var i = 0; i < frames.Length; i++) WriteFrame(frames[i], i < frames.Length - 1 ? More : (byte)0);
    }

    /// <summary>Sends a REQ request (empty delimiter, then the body frames).</summary>
    public void SendRequest(params byte[][] body) => Send([[], .. body]);

    /// <summary>Writes only the header of a long frame announcing <paramref name="size"/> bytes (the body is up to the caller).</summary>
    public void SendLongHeader(ulong size, bool more = false)
    {
        var header = new byte[9];
        header[0] = (byte)(Long | (more ? More : 0));
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(1), size);
        _stream.Write(header);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    /// <summary>Receives the next message's frames (commands such as subscriptions are skipped).</summary>
    public List<byte[]> Receive()
    {
        var frames = new List<byte[]>();
        while (true)
        {
            var (flags, body) = ReadFrame();
            if ((flags & Command) != 0) continue;
            frames.Add(body);
            if ((flags & More) == 0) return frames;
        }
    }

    /// <summary>Receives a REQ reply: the frames after the empty delimiter.</summary>
    public List<string> ReceiveReply()
    {
        var frames = Receive();
        Assert.Empty(frames[0]);
        return frames.Skip(1).Select(f => Encoding.UTF8.GetString(f)).ToList();
    }

    /// <summary>True if the other side closed the connection within <paramref name="timeout"/> (see <see cref="Hangup.ClosedWithin"/>).</summary>
    public bool ClosedWithin(TimeSpan timeout) => Hangup.ClosedWithin(_tcp, timeout);

    private void WriteFrame(byte[] body, byte flags)
    {
        if (body.Length <= 255)
        {
            _stream.Write([flags, (byte)body.Length]);
        }
        else
        {
            var header = new byte[9];
            header[0] = (byte)(flags | Long);
            BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(1), (ulong)body.Length);
            _stream.Write(header);
        }
        _stream.Write(body);
    }

    private (byte Flags, byte[] Body) ReadFrame()
    {
        var first = _stream.ReadByte();
        if (first < 0) throw new EndOfStreamException("the peer closed the connection");
        var flags = (byte)first;
        long size;
        if ((flags & Long) != 0)
        {
            var length = new byte[8];
            _stream.ReadExactly(length);
            size = (long)BinaryPrimitives.ReadUInt64BigEndian(length);
        }
        else
        {
            size = _stream.ReadByte();
            if (size < 0) throw new EndOfStreamException("the peer closed the connection");
        }
        var body = new byte[size];
        _stream.ReadExactly(body);
        return (flags, body);
    }

    public void Dispose() => _tcp.Dispose();
}
