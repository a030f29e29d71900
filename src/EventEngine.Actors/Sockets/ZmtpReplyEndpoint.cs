using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Event;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Security;

namespace EventEngine.Actors.Sockets;

/// <summary>A request read by <see cref="ZmtpReplyEndpoint"/>: its connection, whether it came with the REQ delimiter
/// (empty first frame), and its body frames (valid during the handler's call only: the list is reused).</summary>
internal readonly record struct ZmtpRequest(int Connection, bool Delimited, IReadOnlyList<byte[]> Body);

/// <summary>
/// A lean ZMTP 3.0/3.1 server for plain (NULL mechanism) REQ peers on one TCP port, run by one dedicated thread: it
/// accepts, performs the greeting and the NULL handshake (announcing ROUTER), reads messages and hands each to
/// <c>onRequest</c> on that thread, which answers with <see cref="Reply"/> (then or later, from that thread; other threads
/// <see cref="Post"/>). No I/O thread, thread-pool completion or mailbox sits between the socket and the handler.
/// </summary>
/// <remarks>
/// Untrusted peers: a greeting that is not ZMTP 3 (ZMTP 1.0, 2.0, junk), a mechanism other than NULL, a frame or message
/// over <c>maxMessageSize</c> (refused at its header, never buffered), a peer that does not finish its handshake within
/// <see cref="HandshakeTimeout"/>, and connections beyond <c>maxConnections</c> are refused with a log line and the
/// connection is closed (logged: the first at once, then at most one line per 10 s with the count); a refusal touches no
/// other connection. A connection with a reply not yet written is neither
/// read nor parsed until the reply is out, so a peer that sends and never reads holds at most one reply and one read.
/// </remarks>
internal sealed class ZmtpReplyEndpoint : IDisposable
{
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private const int GreetingSize = 64;
    private const int MaxFramesPerMessage = 64;
    private const int ReadSize = 16 * 1024;
    private static readonly TimeSpan AcceptBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly byte[] Greeting = BuildGreeting();
    private static readonly byte[] Ready = BuildReady("ROUTER");
    private static readonly byte[] WakeByte = [0];
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
    private readonly Dictionary<int, Connection> _byId = new();
    private readonly Dictionary<Socket, Connection> _bySocket = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Thread _thread;
    private readonly List<Socket> _readable = new();
    private readonly List<Socket> _writable = new();
    private readonly byte[] _drain = new byte[256];
    private volatile bool _stopping;
    private int _wakePending;
    private int _nextId;
    private int _handshaking;
    private long _acceptPausedUntil;
    private bool _acceptFailing;
    private long _timerDue = long.MaxValue;
    private readonly LogThrottle _refusals = new();
    private Action? _onTimer;

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
        if (Interlocked.Exchange(ref _wakePending, 1) == 1) return; // the thread has a wake-up coming already
        try
        {
            _wakeWriter.Send(WakeByte);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopping
        }
    }

    /// <summary>Runs <paramref name="elapsed"/> on the endpoint's thread after <paramref name="after"/>, replacing the
    /// timer set before (there is one). Endpoint thread.</summary>
    public void StartTimer(TimeSpan after, Action elapsed)
    {
        _onTimer = elapsed;
        _timerDue = Stopwatch.GetTimestamp() + (long)(after.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Cancels the timer, if one is set. Endpoint thread.</summary>
    public void StopTimer()
    {
        _timerDue = long.MaxValue;
        _onTimer = null;
    }

    /// <summary>Writes a reply (the delimiter first when the request had one) to a connection; dropped when the
    /// connection has gone. Endpoint thread.</summary>
    public void Reply(int connectionId, bool delimited, ReadOnlySpan<byte[]> frames)
    {
        if (!_byId.TryGetValue(connectionId, out var connection)) return;
        if (delimited) connection.Write(ReadOnlySpan<byte>.Empty, more: true);
        for (var i = 0; i < frames.Length; i++) connection.Write(frames[i], more: i < frames.Length - 1);
        Guard(connection, Flush);
    }

    private void Run()
    {
        while (!_stopping)
        {
            _readable.Clear();
            _writable.Clear();
            if (Stopwatch.GetTimestamp() >= _acceptPausedUntil) _readable.Add(_listener);
            _readable.Add(_wakeReader);
            foreach (var connection in _byId.Values)
                (connection.HasOutput ? _writable : _readable).Add(connection.Socket);
            try
            {
                Socket.Select(_readable, _writable, null, SelectTimeoutMicroseconds());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping) return;
                continue;
            }
            foreach (var socket in _writable)
                if (_bySocket.TryGetValue(socket, out var connection)) Guard(connection, ParseInput); // writes what waits, then reads on
            foreach (var socket in _readable)
            {
                if (socket == _listener) Accept();
                else if (socket == _wakeReader) RunPosted();
                else if (_bySocket.TryGetValue(socket, out var connection)) Guard(connection, Receive);
            }
            if (Stopwatch.GetTimestamp() >= _timerDue) FireTimer();
            if (_handshaking > 0) ExpireHandshakes();
        }
    }

    private int SelectTimeoutMicroseconds()
    {
        var until = Math.Min(_timerDue, _handshaking > 0 || _acceptPausedUntil > 0 ? Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10 : long.MaxValue);
        if (until == long.MaxValue) return 1_000_000;
        var micros = (until - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
        return (int)Math.Clamp(micros, 0, 1_000_000);
    }

    private void FireTimer()
    {
        var elapsed = _onTimer;
        StopTimer();
        Invoke("the timer", elapsed);
    }

    // Runs an I/O step of a connection still open; a socket error closes it, a protocol violation refuses it.
    private void Guard(Connection connection, Action<Connection> step)
    {
        if (connection.Closed) return;
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
            Refused(connection.Remote, refusal.Message);
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
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted)
        {
            return;
        }
        catch (SocketException e)
        {
            // Out of file descriptors (EMFILE) or the like: the connection stays queued, so accepting again at once would
            // spin. Pause accepting for a moment, and say so once until it recovers.
            _acceptPausedUntil = Stopwatch.GetTimestamp() + (long)(AcceptBackoff.TotalSeconds * Stopwatch.Frequency);
            if (!_acceptFailing)
                _log.Warning("Cannot accept connections to the {0}: {1} ({2}); retrying every {3} ms (logged once until it recovers)",
                    _name, e.Message, e.SocketErrorCode, AcceptBackoff.TotalMilliseconds);
            _acceptFailing = true;
            return;
        }
        _acceptPausedUntil = 0;
        if (_acceptFailing) _log.Info("Accepting connections to the {0} again", _name);
        _acceptFailing = false;
        if (_byId.Count >= _maxConnections)
        {
            Refused(socket.RemoteEndPoint, $"{_maxConnections} connections are open already (the most it serves)");
            socket.Dispose();
            return;
        }
        socket.Blocking = false;
        socket.NoDelay = true;
        var connection = new Connection(_nextId++, socket, Stopwatch.GetTimestamp() + (long)(HandshakeTimeout.TotalSeconds * Stopwatch.Frequency));
        _byId[connection.Id] = connection;
        _bySocket[socket] = connection;
        _handshaking++;
        // Signature and major version only: a peer reveals its mechanism before it sees ours (libzmq closes at a mismatch).
        connection.Output.Append(Greeting.AsSpan(0, 11));
        Guard(connection, Flush);
    }

    private void RunPosted()
    {
        try
        {
            while (_wakeReader.Available > 0) _wakeReader.Receive(_drain);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopping
        }
        // Only after draining: a post that finds the flag set counts on a byte sent after the last reset. Reset first,
        // and a byte sent between the reset and the drain was swallowed with the flag left set: no later post woke the
        // thread (an external plugin's parked request waited for a timer, about 10 s).
        Interlocked.Exchange(ref _wakePending, 0);
        while (_posted.TryDequeue(out var action)) Invoke("a posted action", action);
    }

    private void Refused(EndPoint? remote, string reason)
    {
        if (_refusals.ShouldLog(out var more)) _log.Warning("Refused a connection to the {0} from {1}: {2}{3}", _name, remote, reason, more);
    }

    private void Invoke(string what, Action? action)
    {
        try
        {
            action?.Invoke();
        }
        catch (Exception e)
        {
            _log.Error(e, "The {0}: {1} failed; carrying on", _name, what);
        }
    }

    private void Receive(Connection connection)
    {
        var n = connection.Socket.Receive(connection.Input.FreeSpace(ReadSize), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return;
        if (error != SocketError.Success) throw new SocketException((int)error);
        if (n == 0)
        {
            if (!connection.Handshaken) _log.Debug("The {0}: {1} closed its connection during the ZMTP handshake", _name, connection.Remote);
            Close(connection);
            return;
        }
        connection.Input.Advance(n);
        ParseInput(connection);
    }

    // Reads what the input holds, one unit at a time, until it runs out or a reply cannot be written at once.
    private void ParseInput(Connection connection)
    {
        while (!connection.Closed)
        {
            if (connection.HasOutput)
            {
                Flush(connection);
                if (connection.HasOutput) return;
            }
            if (!connection.Parse(this)) return;
        }
    }

    private static void Flush(Connection connection)
    {
        while (connection.HasOutput)
        {
            var sent = connection.Socket.Send(connection.Output.Data, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success) throw new SocketException((int)error);
            connection.Output.Consume(sent);
        }
    }

    private void ExpireHandshakes()
    {
        var now = Stopwatch.GetTimestamp();
        List<Connection>? expired = null;
        foreach (var connection in _byId.Values)
            if (!connection.Handshaken && connection.HandshakeDeadline < now) (expired ??= []).Add(connection);
        if (expired is null) return;
        foreach (var connection in expired)
        {
            Refused(connection.Remote, $"no ZMTP handshake within {HandshakeTimeout.TotalSeconds} s");
            Close(connection);
        }
    }

    private void Close(Connection connection)
    {
        if (!_byId.Remove(connection.Id)) return;
        _bySocket.Remove(connection.Socket);
        if (!connection.Handshaken) _handshaking--;
        var wasPeer = connection.Handshaken;
        connection.Dispose();
        if (wasPeer) Invoke("counting a disconnection", () => _onConnections(-1));
    }

    private void Handshaken()
    {
        _handshaking--;
        Invoke("counting a connection", () => _onConnections(+1));
    }

    private void Dispatch(ZmtpRequest request) => Invoke("handling a request", () => _onRequest(request));

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
        foreach (var connection in _byId.Values.ToList()) connection.Dispose();
        _byId.Clear();
        _bySocket.Clear();
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

    private sealed class Connection(int id, Socket socket, long handshakeDeadline) : IDisposable
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
        public long HandshakeDeadline { get; } = handshakeDeadline;
        public PooledBuffer Input { get; } = new();
        public PooledBuffer Output { get; } = new();
        public bool HasOutput => Output.Length > 0;
        public bool Handshaken => _state == State.Messages;
        public bool Closed { get; private set; }

        public void Write(ReadOnlySpan<byte> frame, bool more)
        {
            if (frame.Length <= byte.MaxValue)
            {
                var header = Output.FreeSpace(2 + frame.Length);
                header[0] = (byte)(more ? 0x01 : 0x00);
                header[1] = (byte)frame.Length;
                Output.Advance(2);
            }
            else
            {
                var header = Output.FreeSpace(9 + frame.Length);
                header[0] = (byte)(more ? 0x03 : 0x02);
                BinaryPrimitives.WriteUInt64BigEndian(header[1..], (ulong)frame.Length);
                Output.Advance(9);
            }
            Output.Append(frame);
        }

        // Consumes one unit (greeting, command or frame) from the input; false when more bytes are needed.
        public bool Parse(ZmtpReplyEndpoint endpoint)
        {
            if (_state == State.Greeting) return ParseGreeting(endpoint);
            if (!TryFrame(endpoint._maxMessageSize, out var flags, out var headerSize, out var size)) return false;
            var body = Input.Data.Slice(headerSize, size);
            if ((flags & 0x04) != 0)
            {
                if (_state == State.Ready)
                {
                    var type = PeerSocketType(body);
                    if (type is null || !AcceptedPeerTypes.Contains(type))
                        throw new ZmtpRefusal($"its socket type is {type ?? "missing"}; this port serves REQ peers");
                    _state = State.Messages;
                    Output.Append(Ready);
                    endpoint.Handshaken();
                }
                Input.Consume(headerSize + size);
                return true; // other commands (PING without heartbeats configured, SUBSCRIBE, ...) are not for REQ/REP
            }
            if (_state == State.Ready) throw new ZmtpRefusal("a message before the READY command");
            _messageSize += size;
            if (_messageSize > endpoint._maxMessageSize || _frames.Count >= MaxFramesPerMessage)
                throw new ZmtpRefusal($"a message over {endpoint._maxMessageSize} bytes or {MaxFramesPerMessage} frames");
            _frames.Add(body.ToArray());
            Input.Consume(headerSize + size);
            if ((flags & 0x01) != 0) return true;
            var delimited = _frames[0].Length == 0;
            if (delimited) _frames.RemoveAt(0);
            _messageSize = 0;
            endpoint.Dispatch(new ZmtpRequest(Id, delimited, _frames));
            _frames.Clear();
            return true;
        }

        private bool ParseGreeting(ZmtpReplyEndpoint endpoint)
        {
            // The signature decides at once (a ZMTP 1.0 peer or junk may never send 64 bytes); then version and mechanism.
            var input = Input.Data;
            if (input.Length >= 10 && !Zmtp3Gate.IsVersionedSignature(input))
                throw new ZmtpRefusal("not a ZMTP 3 greeting (ZMTP 1.0 or not ZMTP at all)");
            if (input.Length >= 11 && input[10] < 3)
                throw new ZmtpRefusal($"it speaks ZMTP version {input[10]}.x; this port serves ZMTP 3 only");
            if (input.Length < GreetingSize) return false;
            var mechanism = Encoding.ASCII.GetString(input.Slice(12, 20)).TrimEnd('\0');
            if (mechanism != "NULL")
                throw new ZmtpRefusal($"it asks for the {(mechanism.All(c => c is >= ' ' and <= '~') ? mechanism : "(not ASCII)")} security mechanism; this port serves NULL only");
            Input.Consume(GreetingSize);
            _state = State.Ready;
            Output.Append(Greeting.AsSpan(11));
            return true;
        }

        // A whole frame at the start of the input: its flags, header size and body size. A size over the limit is refused
        // as soon as its header is in, before any of its body is buffered.
        private bool TryFrame(long maxSize, out byte flags, out int headerSize, out int size)
        {
            var input = Input.Data;
            flags = 0;
            headerSize = 2;
            size = 0;
            if (input.Length < 2) return false;
            flags = input[0];
            if ((flags & 0xF8) != 0) throw new ZmtpRefusal($"a frame with reserved flag bits set (0x{flags:X2})");
            if ((flags & 0x02) == 0)
            {
                size = input[1];
            }
            else
            {
                if (input.Length < 9) return false;
                var raw = BinaryPrimitives.ReadUInt64BigEndian(input.Slice(1, 8));
                if (raw > (ulong)maxSize || raw > int.MaxValue - 9) throw new ZmtpRefusal($"a frame of {raw} bytes, over the limit of {maxSize}");
                size = (int)raw;
                headerSize = 9;
            }
            return input.Length >= headerSize + size;
        }

        public void Dispose()
        {
            Closed = true;
            Socket.Dispose();
            Input.Dispose();
            Output.Dispose();
        }
    }
}
