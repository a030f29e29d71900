using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using EventEngine.Actors.Diagnostics;
using NetMQ;

namespace EventEngine.Actors.Security;

/// <summary>
/// The TCP front of an endpoint when CURVE is on. NetMQ still speaks ZMTP 1.0 and 2.0, which have no security
/// mechanism, to a peer that opens like one, even on a CURVE server socket: such a peer could publish into the engine
/// and read its events in clear text (a downgrade). The gate listens on the endpoint's public address, refuses every
/// peer whose greeting is not ZMTP 3 or later, and splices the others, byte for byte, to the NetMQ socket bound on a
/// private loopback port (where NetMQ then requires CURVE). Plain sockets on the thread pool; no NetMQ socket is touched.
/// </summary>
internal sealed class Zmtp3Gate : IDisposable
{
    private static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromSeconds(1);

    // Descriptors a connection must leave free: it costs three (the client, the gate's way to NetMQ, NetMQ's side of it),
    // and NetMQ's own accept out of descriptors kills the process (an exception on its I/O thread), so it must never get there.
    private const int ReservedDescriptors = 32;
    private readonly Socket _listener;
    private readonly IPEndPoint _backend;
    private readonly string _endpoint;
    private readonly EngineMetrics? _metrics;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly int _maxConnections;
    private int _connections;
    private long _refused;
    private long _refusedShortOfDescriptors;

    private Zmtp3Gate(Socket listener, int backendPort, string endpoint, int maxConnections, EngineMetrics? metrics, ILoggingAdapter log)
    {
        _maxConnections = maxConnections;
        _listener = listener;
        _backend = new IPEndPoint(IPAddress.Loopback, backendPort);
        _endpoint = endpoint;
        _metrics = metrics;
        _log = log;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>The public TCP port.</summary>
    public int Port { get; }

    /// <summary>
    /// Binds <paramref name="socket"/> on <paramref name="address"/>:<paramref name="port"/> (0 = ephemeral), or, with
    /// CURVE on, on a private loopback port behind a gate listening there. Returns the public port; <paramref name="gate"/>
    /// is the gate to dispose with the socket (null without CURVE).
    /// </summary>
    /// <exception cref="NetMQException">The address cannot be bound (<see cref="AddressAlreadyInUseException"/> when taken).</exception>
    public static int Bind(NetMQSocket socket, string address, int port, CurveSettings? curve, string endpoint, EngineMetrics? metrics,
        ILoggingAdapter log, out Zmtp3Gate? gate)
    {
        gate = null;
        if (curve is not { Enabled: true })
        {
            if (port == 0) return socket.BindRandomPort($"tcp://{address}");
            socket.Bind($"tcp://{address}:{port}");
            return port;
        }
        curve.Apply(socket);
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            var ip = Resolve(address);
            if (ip.AddressFamily != listener.AddressFamily)
            {
                listener.Dispose();
                listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            }
            listener.Bind(new IPEndPoint(ip, port));
            listener.Listen(128);
            var backendPort = socket.BindRandomPort("tcp://127.0.0.1");
            gate = new Zmtp3Gate(listener, backendPort, endpoint, curve.MaxConnections, metrics, log);
            return gate.Port;
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw NetMQException.Create(e.SocketErrorCode);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The error for an endpoint <see cref="Bind"/> could not bind, naming what it is and where.</summary>
    public static EventEngineException BindFailed(string what, string address, int port, NetMQException e) =>
        new($"cannot bind {what} tcp://{address}:{port}: {(e is AddressAlreadyInUseException ? "the port is already in use" : e.Message)}", e);

    // Bind addresses are IP literals (checked with the settings): nothing is looked up in DNS here.
    private static IPAddress Resolve(string address) => address == "*" ? IPAddress.Any : IPAddress.Parse(address.Trim('[', ']'));

    /// <summary>A ZMTP 3 peer opens with 0xFF, 8 bytes, 0x7F (bit 0 set: versioned); ZMTP 1.0 does not.</summary>
    internal static bool IsVersionedSignature(ReadOnlySpan<byte> signature) => signature[0] == 0xFF && (signature[9] & 1) == 1;

    private async Task AcceptLoop()
    {
        long failures = 0;
        var backoff = FirstBackoff;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return; // disposed
            }
            catch (SocketException e)
            {
                if (_stop.IsCancellationRequested) return;
                // Out of file descriptors (EMFILE, ENFILE) or the like: the connection stays queued, so accepting again at
                // once would spin. Back off, doubling up to MaxBackoff, and say so once until it recovers.
                if (failures++ == 0)
                    _log.Warning("Cannot accept connections to the {0}: {1} ({2}); retrying with a backoff of up to {3} (logged once until it recovers)",
                        _endpoint, e.Message, e.SocketErrorCode, MaxBackoff);
                try
                {
                    await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                continue;
            }
            if (failures > 0)
            {
                _log.Info("Accepting connections to the {0} again after {1} failed attempt(s)", _endpoint, failures);
                failures = 0;
                backoff = FirstBackoff;
            }
            if (!Admit(client)) continue;
            _ = Serve(client);
        }
    }

    // With descriptors to spare and below the connection cap, or the client is refused: closed at once, counted, logged.
    private bool Admit(Socket client)
    {
        if (FileDescriptors.Headroom() < ReservedDescriptors)
        {
            _metrics?.ConnectionRefused(_endpoint, "out-of-descriptors");
            if (Interlocked.Increment(ref _refusedShortOfDescriptors) == 1) // once per shortage; the end of it is logged too
                _log.Warning("Refused a connection to the {0} (out-of-descriptors): the process has fewer than {1} file descriptors left (ulimit -n); refusing connections until some are free (counted in event_engine.connections.refused)",
                    _endpoint, ReservedDescriptors);
            Close(client);
            return false;
        }
        if (Interlocked.Exchange(ref _refusedShortOfDescriptors, 0) is var refused and > 0)
            _log.Info("Serving connections to the {0} again: {1} refused while the process was short of file descriptors", _endpoint, refused);
        if (Interlocked.Increment(ref _connections) > _maxConnections)
        {
            Interlocked.Decrement(ref _connections);
            Refuse("connection-cap", $"it already has {_maxConnections} connections (event-engine.security.curve.max-connections)");
            Close(client);
            return false;
        }
        return true;
    }

    private async Task Serve(Socket client)
    {
        _open[client] = true;
        Socket? backend = null;
        try
        {
            backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); // may fail too: out of descriptors
            _open[backend] = true;
            client.NoDelay = true;
            backend.NoDelay = true;
            // 1. The signature (10 bytes, sent by every client at once): ZMTP 1.0 peers are refused here.
            var head = new byte[11];
            if (!await ReadExactly(client, head.AsMemory(0, 10)).ConfigureAwait(false) || !IsVersionedSignature(head))
            {
                Refuse("not a ZMTP 3 greeting", NotZmtp3);
                return;
            }
            // 2. The major version, which a client sends once it has the server's signature: 1 is ZMTP 2.0, refused.
            await backend.ConnectAsync(_backend, _stop.Token).ConfigureAwait(false);
            var toClient = Pump(backend, client);
            if (!await ReadExactly(client, head.AsMemory(10, 1)).ConfigureAwait(false) || head[10] < 3)
            {
                Refuse("ZMTP version below 3", NotZmtp3);
                return;
            }
            await backend.SendAsync(head, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            await Task.WhenAny(toClient, Pump(client, backend)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // the peer or the engine went away
        }
        finally
        {
            Close(client);
            if (backend is not null) Close(backend);
            Interlocked.Decrement(ref _connections);
        }
    }

    // Reads exactly buffer.Length bytes within the greeting timeout; false on end of stream or timeout.
    private async Task<bool> ReadExactly(Socket socket, Memory<byte> buffer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(GreetingTimeout);
        try
        {
            while (buffer.Length > 0)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) return false;
                buffer = buffer[n..];
            }
            return true;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task Pump(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0) return;
                for (var sent = 0; sent < n;) sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // either side closed
        }
    }

    private const string NotZmtp3 = "with CURVE on, only ZMTP 3 peers using CURVE are accepted";

    private void Refuse(string reason, string why)
    {
        _metrics?.ConnectionRefused(_endpoint, reason);
        if (Interlocked.Increment(ref _refused) % 1000 == 1)
            _log.Warning("Refused a connection to the {0} ({1}): {2} ({3} refused so far, counted in event_engine.connections.refused)",
                _endpoint, reason, why, Interlocked.Read(ref _refused));
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // not connected
        }
        socket.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var socket in _open.Keys) Close(socket);
        _stop.Dispose();
    }
}
