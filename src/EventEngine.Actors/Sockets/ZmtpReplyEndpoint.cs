using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Event;
using EventEngine.Actors.Security;

namespace EventEngine.Actors.Sockets;

/// <summary>A request read by <see cref="ZmtpReplyEndpoint"/>: its connection, whether it came with the REQ
/// delimiter (empty first frame), and its body frames.</summary>
internal sealed record ZmtpRequest(int Connection, bool Delimited, IReadOnlyList<byte[]> Body);

/// <summary>
/// A lean ZMTP 3.0/3.1 server for plain (NULL mechanism) REQ peers on one TCP port, run by one dedicated thread: it
/// accepts, performs the greeting and the NULL handshake (announcing ROUTER), reads messages and hands each to
/// <c>onRequest</c> on that thread, which answers with <see cref="Reply"/> (then or later, from that thread; other threads
/// <see cref="Post"/>). No I/O thread, thread-pool completion or mailbox sits between the socket and the handler.
/// </summary>
/// <remarks>
/// Untrusted peers: a greeting that is not ZMTP 3 (ZMTP 1.0, 2.0, junk), a mechanism other than NULL, a frame or message
/// over <c>maxMessageSize</c>, a peer that does not finish its handshake within <see cref="HandshakeTimeout"/>, and
/// connections beyond <c>maxConnections</c> are refused with a log line and the connection is closed; nothing of theirs
/// is buffered beyond those bounds. A connection with a reply not yet written is not read until the reply is out.
/// </remarks>
internal sealed class ZmtpReplyEndpoint : IDisposable
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private const int GreetingSize = 64;
    private const int MaxFramesPerMessage = 64;
    private static readonly byte[] Greeting = BuildGreeting();
    private static readonly byte[] Ready = BuildReady("ROUTER");
    private static readonly HashSet<string> AcceptedPeerTypes = ["REQ", "DEALER", "ROUTER"];

    private readonly Socket _listener;
    private readonly Socket _wakeReader;
    private readonly Socket _wakeWriter;
    private readonly string _name;
    private readonly long _maxMessageSize;
    private readonly int _maxConnections;
    private readonly ILoggingAdapter _log;
    private readonly Action<ZmtpRequest> _onRequest;
    private readonly Action<int> _onConnections;
    private readonly Dictionary<int, Connection> _connections = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Thread _thread;
    private readonly List<Socket> _readable = new();
    private readonly List<Socket> _writable = new();
    private volatile bool _stopping;
    private int _nextId;

    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> (0 = ephemeral); call <see cref="Start"/> to serve.</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public ZmtpReplyEndpoint(string name, IPAddress address, int port, long maxMessageSize, int maxConnections, ILoggingAdapter log,
        Action<ZmtpRequest> onRequest, Action<int>? onConnections = null)
    {
        _name = name;
        _maxMessageSize = maxMessageSize;
        _maxConnections = maxConnections;
        _log = log;
        _onRequest = onRequest;
        _onConnections = onConnections ?? (_ => { });
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(128);
            _listener.Blocking = false;
            (_wakeReader, _wakeWriter) = WakePair();
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _thread = new Thread(Run) { IsBackground = true, Name = $"zmtp-{name}" };
    }

    /// <summary>The bound TCP port.</summary>
    public int Port { get; }

    public void Start() => _thread.Start();

    /// <summary>Runs <paramref name="action"/> on the endpoint's thread. Any thread.</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        try
        {
            _wakeWriter.Send([0]);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopping
        }
    }

    /// <summary>Writes a reply (the delimiter first when the request had one) to a connection; dropped when the
    /// connection has gone. Endpoint thread.</summary>
    public void Reply(ZmtpRequest request, IReadOnlyList<byte[]> frames)
    {
        if (!_connections.TryGetValue(request.Connection, out var connection)) return;
        if (request.Delimited) connection.Write(ReadOnlySpan<byte>.Empty, more: true);
        for (var i = 0; i < frames.Count; i++) connection.Write(frames[i], more: i < frames.Count - 1);
        Flush(connection);
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            _readable.Clear();
            _writable.Clear();
            _readable.Add(_listener);
            _readable.Add(_wakeReader);
            foreach (var connection in _connections.Values)
                (connection.HasOutput ? _writable : _readable).Add(connection.Socket);
            try
            {
                Socket.Select(_readable, _writable, null, 1_000_000);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping) return;
                continue;
            }
            foreach (var socket in _writable) Guard(socket, Flush);
            foreach (var socket in _readable)
            {
                if (socket == _listener) Accept();
                else if (socket == _wakeReader) RunPosted(buffer);
                else Guard(socket, connection => Receive(connection, buffer));
            }
            ExpireHandshakes();
        }
    }

    // Runs an I/O step of a connection still open; a socket error closes it, a protocol violation refuses it.
    private void Guard(Socket socket, Action<Connection> step)
    {
        var connection = _connections.Values.FirstOrDefault(c => c.Socket == socket);
        if (connection is null) return;
        try
        {
            step(connection);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(connection);
        }
        catch (ZmtpRefusal refusal)
        {
            _log.Warning("Refused a connection to the {0} from {1}: {2}", _name, connection.Remote, refusal.Message);
            Close(connection);
        }
    }

    private void Accept()
    {
        Socket socket;
        try
        {
            socket = _listener.Accept();
        }
        catch (SocketException)
        {
            return;
        }
        if (_connections.Count >= _maxConnections)
        {
            _log.Warning("Refused a connection to the {0} from {1}: {2} connections are open already (the most it serves)",
                _name, socket.RemoteEndPoint, _maxConnections);
            socket.Dispose();
            return;
        }
        socket.Blocking = false;
        socket.NoDelay = true;
        var connection = new Connection(_nextId++, socket, DateTime.UtcNow + HandshakeTimeout);
        _connections[connection.Id] = connection;
        // Signature and major version only: a peer reveals its mechanism before it sees ours (libzmq closes at a mismatch).
        connection.Output.Write(Greeting.AsSpan(0, 11));
        Guard(socket, Flush);
    }

    private void RunPosted(byte[] buffer)
    {
        try
        {
            while (_wakeReader.Available > 0) _wakeReader.Receive(buffer);
        }
        catch (SocketException)
        {
            // stopping
        }
        while (_posted.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _log.Error(e, "The {0}: a posted action failed; carrying on", _name);
            }
        }
    }

    private void Receive(Connection connection, byte[] buffer)
    {
        var n = connection.Socket.Receive(buffer);
        if (n == 0)
        {
            if (!connection.Handshaken) _log.Debug("The {0}: {1} closed its connection during the ZMTP handshake", _name, connection.Remote);
            Close(connection);
            return;
        }
        connection.Input.AddRange(buffer.AsSpan(0, n));
        while (connection.Parse(this)) { }
    }

    private void Flush(Connection connection)
    {
        if (!connection.HasOutput) return;
        var pending = connection.Output.GetBuffer().AsSpan(connection.Written, (int)connection.Output.Length - connection.Written);
        try
        {
            connection.Written += connection.Socket.Send(pending);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        if (connection.Written == connection.Output.Length)
        {
            connection.Output.SetLength(0);
            connection.Written = 0;
        }
    }

    private void ExpireHandshakes()
    {
        var now = DateTime.UtcNow;
        foreach (var connection in _connections.Values.Where(c => !c.Handshaken && c.HandshakeDeadline < now).ToList())
        {
            _log.Warning("Refused a connection to the {0} from {1}: no ZMTP handshake within {2} s", _name, connection.Remote,
                HandshakeTimeout.TotalSeconds);
            Close(connection);
        }
    }

    private void Close(Connection connection)
    {
        if (!_connections.Remove(connection.Id)) return;
        var wasPeer = connection.Handshaken;
        connection.Socket.Dispose();
        if (wasPeer) _onConnections(-1);
    }

    private void Handshaken(Connection connection) => _onConnections(+1);

    private static byte[] BuildGreeting()
    {
        var greeting = new byte[GreetingSize];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3; // ZMTP 3.0: the peers this serves send nothing of 3.1 it would have to answer
        Encoding.ASCII.GetBytes("NULL").CopyTo(greeting, 12);
        return greeting;
    }

    private static byte[] BuildReady(string socketType)
    {
        var body = new MemoryStream();
        body.WriteByte(5);
        body.Write("READY"u8);
        body.WriteByte(11);
        body.Write("Socket-Type"u8);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, socketType.Length);
        body.Write(length);
        body.Write(Encoding.ASCII.GetBytes(socketType));
        var command = new MemoryStream();
        command.WriteByte(0x04);
        command.WriteByte((byte)body.Length);
        body.WriteTo(command);
        return command.ToArray();
    }

    // Reads the Socket-Type property of a READY command body (name-length, name, then name/value properties).
    private static string? PeerSocketType(ReadOnlySpan<byte> ready)
    {
        if (ready.Length < 6 || ready[0] != 5 || !ready[1..6].SequenceEqual("READY"u8)) throw new ZmtpRefusal("the first command is not READY");
        var rest = ready[6..];
        string? type = null;
        while (rest.Length > 0)
        {
            int nameLength = rest[0];
            if (rest.Length < 1 + nameLength + 4) throw new ZmtpRefusal("a malformed READY property");
            var name = rest.Slice(1, nameLength);
            var valueLength = BinaryPrimitives.ReadUInt32BigEndian(rest.Slice(1 + nameLength, 4));
            if (valueLength > rest.Length - 5 - nameLength) throw new ZmtpRefusal("a malformed READY property");
            var value = rest.Slice(5 + nameLength, (int)valueLength);
            if (Ascii.EqualsIgnoreCase(name, "Socket-Type"u8)) type = Encoding.ASCII.GetString(value);
            rest = rest[(5 + nameLength + (int)valueLength)..];
        }
        return type;
    }

    public void Dispose()
    {
        _stopping = true;
        Post(() => { });
        if (_thread.IsAlive && Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(5));
        foreach (var connection in _connections.Values.ToList()) connection.Socket.Dispose();
        _connections.Clear();
        _listener.Dispose();
        _wakeReader.Dispose();
        _wakeWriter.Dispose();
    }

    private static (Socket Reader, Socket Writer) WakePair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var writer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        writer.Connect(listener.LocalEndPoint!);
        var reader = listener.Accept();
        return (reader, writer);
    }

    private sealed class ZmtpRefusal(string reason) : Exception(reason);

    private sealed class Connection(int id, Socket socket, DateTime handshakeDeadline)
    {
        private readonly List<byte[]> _frames = new();
        private long _messageSize;
        private State _state;

        private enum State
        {
            Greeting,
            Ready,
            Messages,
        }

        public int Id { get; } = id;
        public Socket Socket { get; } = socket;
        public EndPoint? Remote { get; } = socket.RemoteEndPoint;
        public DateTime HandshakeDeadline { get; } = handshakeDeadline;
        public List<byte> Input { get; } = new();
        public MemoryStream Output { get; } = new();
        public int Written { get; set; }
        public bool HasOutput => Output.Length > 0;
        public bool Handshaken => _state == State.Messages;

        public void Write(ReadOnlySpan<byte> frame, bool more)
        {
            Span<byte> header = stackalloc byte[9];
            if (frame.Length <= byte.MaxValue)
            {
                header[0] = (byte)(more ? 0x01 : 0x00);
                header[1] = (byte)frame.Length;
                Output.Write(header[..2]);
            }
            else
            {
                header[0] = (byte)(more ? 0x03 : 0x02);
                BinaryPrimitives.WriteUInt64BigEndian(header[1..], (ulong)frame.Length);
                Output.Write(header);
            }
            Output.Write(frame);
        }

        // Consumes one unit (greeting, command or frame) from the input; false when more bytes are needed.
        public bool Parse(ZmtpReplyEndpoint endpoint)
        {
            if (_state == State.Greeting) return ParseGreeting(endpoint);
            if (!TryFrame(endpoint._maxMessageSize, out var flags, out var body)) return false;
            if ((flags & 0x04) != 0)
            {
                if (_state == State.Ready)
                {
                    var type = PeerSocketType(body);
                    if (type is null || !AcceptedPeerTypes.Contains(type))
                        throw new ZmtpRefusal($"its socket type is {type ?? "missing"}; this port serves REQ peers");
                    _state = State.Messages;
                    Output.Write(Ready);
                    endpoint.Handshaken(this);
                    endpoint.Flush(this);
                }
                return true; // other commands (PING without heartbeats configured, SUBSCRIBE, ...) are not for REQ/REP
            }
            if (_state == State.Ready) throw new ZmtpRefusal("a message before the READY command");
            _messageSize += body.Length;
            if (_messageSize > endpoint._maxMessageSize || _frames.Count >= MaxFramesPerMessage)
                throw new ZmtpRefusal($"a message over {endpoint._maxMessageSize} bytes or {MaxFramesPerMessage} frames");
            _frames.Add(body);
            if ((flags & 0x01) != 0) return true;
            var delimited = _frames[0].Length == 0;
            var request = new ZmtpRequest(Id, delimited, delimited ? _frames.Skip(1).ToArray() : _frames.ToArray());
            _frames.Clear();
            _messageSize = 0;
            endpoint._onRequest(request);
            return true;
        }

        private bool ParseGreeting(ZmtpReplyEndpoint endpoint)
        {
            // The signature decides at once (a ZMTP 1.0 peer or junk may never send 64 bytes); then version and mechanism.
            if (Input.Count >= 10 && !Zmtp3Gate.IsVersionedSignature(Input.GetRange(0, 10).ToArray()))
                throw new ZmtpRefusal("not a ZMTP 3 greeting (ZMTP 1.0 or not ZMTP at all)");
            if (Input.Count >= 11 && Input[10] < 3)
                throw new ZmtpRefusal($"it speaks ZMTP version {Input[10]}.x; this port serves ZMTP 3 only");
            if (Input.Count < GreetingSize) return false;
            var mechanism = Encoding.ASCII.GetString(Input.GetRange(12, 20).ToArray()).TrimEnd('\0');
            if (mechanism != "NULL")
                throw new ZmtpRefusal($"it asks for the {(mechanism.All(c => c is >= ' ' and <= '~') ? mechanism : "(not ASCII)")} security mechanism; this port serves NULL only");
            Input.RemoveRange(0, GreetingSize);
            _state = State.Ready;
            Output.Write(Greeting.AsSpan(11));
            endpoint.Flush(this);
            return true;
        }

        private bool TryFrame(long maxSize, out byte flags, out byte[] body)
        {
            flags = 0;
            body = [];
            if (Input.Count < 2) return false;
            flags = Input[0];
            if ((flags & 0xF8) != 0) throw new ZmtpRefusal($"a frame with reserved flag bits set (0x{flags:X2})");
            long size;
            int headerSize;
            if ((flags & 0x02) == 0)
            {
                size = Input[1];
                headerSize = 2;
            }
            else
            {
                if (Input.Count < 9) return false;
                var bytes = Input.GetRange(1, 8).ToArray();
                var raw = BinaryPrimitives.ReadUInt64BigEndian(bytes);
                if (raw > (ulong)maxSize) throw new ZmtpRefusal($"a frame of {raw} bytes, over the limit of {maxSize}");
                size = (long)raw;
                headerSize = 9;
            }
            if (Input.Count < headerSize + size) return false;
            body = Input.GetRange(headerSize, (int)size).ToArray();
            Input.RemoveRange(0, headerSize + (int)size);
            return true;
        }
    }
}
