using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Sockets;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>
/// The lean ZMTP 3 endpoint on its own: a real pyzmq REQ client gets its replies (short and long frames, multipart),
/// and peers it must not serve are refused with the exact log line and a closed connection.
/// </summary>
public sealed class ZmtpReplyEndpointTests : IAsyncLifetime
{
    private const long MaxMessageSize = 4096;
    private ActorSystem _system = null!;
    private LogCapture _logs = null!;
    private ZmtpReplyEndpoint _endpoint = null!;
    private int _connections;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("zmtp-endpoint-tests", "akka.loglevel = DEBUG");
        _logs = LogCapture.Attach(_system);
        ZmtpReplyEndpoint endpoint = null!;
        // Echoes every request, frame by frame, prefixed with the frame count.
        endpoint = new ZmtpReplyEndpoint("test port", IPAddress.Loopback, 0, MaxMessageSize, maxConnections: 4,
            Logging.GetLogger(_system, "zmtp-test"),
            request => endpoint.Reply(request.Connection, request.Delimited, [Encoding.ASCII.GetBytes($"frames {request.Body.Count}"), .. request.Body]),
            delta => Interlocked.Add(ref _connections, delta));
        _endpoint = endpoint;
        _endpoint.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _endpoint.Dispose();
        await _system.Terminate();
    }

    [Fact]
    public async Task A_pyzmq_REQ_client_gets_a_reply_to_each_request()
    {
        using var python = await RunReqClient("", """
            s.send(b"plugin_command: next_msg")
            print("reply1", s.recv_multipart())
            s.send(b"x" * 300)
            r = s.recv_multipart()
            print("reply2", r[0], len(r[1]), set(r[1]))
            s.send_multipart([b"a", b"", b"bc"])
            print("reply3", s.recv_multipart())
            """);
        Assert.Equal(
            """
            reply1 [b'frames 1', b'plugin_command: next_msg']
            reply2 b'frames 1' 300 {120}
            reply3 [b'frames 3', b'a', b'', b'bc']
            """.ReplaceLineEndings("\n"), python.Output);
        await Wait.Until(() => Volatile.Read(ref _connections) == 0, "the client's disconnection to be counted");
    }

    [Fact]
    public async Task Actions_posted_from_other_threads_all_run_and_the_last_one_runs_at_once()
    {
        // Two threads post as fast as they can while the endpoint's thread runs what they posted: a post that lands while
        // the thread takes in its wake-up must not be left without one (the thread would then sleep on every later post).
        const int posters = 4, bursts = 200, perBurst = 50;
        var ran = 0;
        await Task.WhenAll(Enumerable.Range(0, posters).Select(_ => Task.Run(async () =>
        {
            for (var burst = 0; burst < bursts; burst++)
            {
                for (var i = 0; i < perBurst; i++) _endpoint.Post(() => Interlocked.Increment(ref ran));
                var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _endpoint.Post(last.SetResult);
                await last.Task.WaitAsync(TimeSpan.FromSeconds(5)); // not a select timeout: each post wakes the thread
            }
        })));
        Assert.Equal(posters * bursts * perBurst, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task A_ZMTP_1_greeting_is_refused() =>
        await AssertRefused([0x01, 0x00, .. new byte[62]], "not a ZMTP 3 greeting (ZMTP 1.0 or not ZMTP at all)");

    [Fact]
    public async Task Junk_is_refused() =>
        await AssertRefused("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), "not a ZMTP 3 greeting (ZMTP 1.0 or not ZMTP at all)");

    [Fact]
    public async Task A_ZMTP_2_greeting_is_refused() =>
        await AssertRefused([0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, 3], "it speaks ZMTP version 1.x; this port serves ZMTP 3 only");

    [Fact]
    public async Task A_peer_asking_for_CURVE_is_refused() =>
        await AssertRefused(Greeting("CURVE"), "it asks for the CURVE security mechanism; this port serves NULL only");

    [Fact]
    public async Task A_real_pyzmq_CURVE_client_is_refused()
    {
        using var python = await RunReqClient("""
            pub, sec = zmq.curve_keypair()
            s.curve_secretkey = sec; s.curve_publickey = pub; s.curve_serverkey = pub
            """, """
            s.send(b"plugin_command: next_msg")
            print("replied" if s.poll(3000) else "no reply")
            """);
        Assert.Equal("no reply", python.Output);
        await WaitForLog("it asks for the CURVE security mechanism; this port serves NULL only");
    }

    [Fact]
    public async Task A_frame_over_the_limit_is_refused_before_it_is_read()
    {
        using var client = await Handshaken();
        client.Send([0x02, 0, 0, 0, 0, 0, 0, 0x10, 0x01]); // a long frame of 4097 bytes announced, none sent
        await AssertClosed(client);
        await WaitForLog($"a frame of 4097 bytes, over the limit of {MaxMessageSize}");
    }

    [Fact]
    public async Task A_half_open_connection_is_counted_only_after_its_handshake()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        client.Send(Greeting("NULL")[..20]);
        Assert.Equal(0, Volatile.Read(ref _connections));
        using var done = await Handshaken();
        await Wait.Until(() => Volatile.Read(ref _connections) == 1, "the handshaken peer to be counted");
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused()
    {
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++) open.Add(await Handshaken());
            using var extra = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await extra.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
            await AssertClosed(extra);
            await WaitForLog($"Refused a connection to the test port from 127.0.0.1:{((IPEndPoint)extra.LocalEndPoint!).Port}: 4 connections are open already (the most it serves)");
            Assert.Equal(4, Volatile.Read(ref _connections));
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }

    // Runs a pyzmq REQ client: `setup` before it connects to the endpoint, `requests` after; it must exit 0.
    private async Task<OsProcess> RunReqClient(string setup, string requests)
    {
        var script = $"import zmq\nctx = zmq.Context()\ns = ctx.socket(zmq.REQ)\ns.setsockopt(zmq.LINGER, 0)\n{setup}\n" +
            $"s.connect(\"tcp://127.0.0.1:{_endpoint.Port}\")\n{requests}\ns.close(); ctx.term()\n";
        var python = new OsProcess("/usr/bin/python3", ["-c", script]);
        try
        {
            Assert.Equal(0, await python.WaitForExit(Wait.Long));
            return python;
        }
        catch
        {
            python.Dispose();
            throw;
        }
    }

    private async Task AssertRefused(byte[] greeting, string reason)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        client.Send(greeting);
        await AssertClosed(client);
        var local = (IPEndPoint)client.LocalEndPoint!;
        await WaitForLog($"Refused a connection to the test port from 127.0.0.1:{local.Port}: {reason}");
        Assert.Equal(0, Volatile.Read(ref _connections));
    }

    private async Task<Socket> Handshaken()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, _endpoint.Port);
        client.Send(Greeting("NULL"));
        byte[] ready = [0x04, 25, 5, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, 3, .. "REQ"u8];
        client.Send(ready);
        var greeting = await ReadExactly(client, 64);
        Assert.Equal(Greeting("NULL"), greeting);
        byte[] expected = [0x04, 28, 5, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, 6, .. "ROUTER"u8];
        Assert.Equal(expected, await ReadExactly(client, expected.Length));
        return client;
    }

    private static byte[] Greeting(string mechanism)
    {
        var greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        Encoding.ASCII.GetBytes(mechanism).CopyTo(greeting, 12);
        return greeting;
    }

    private static async Task<byte[]> ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(Wait.Long);
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException($"the endpoint closed the connection after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }

    // The endpoint sends its greeting first; after a refusal the connection ends (0 bytes) or is reset.
    private static async Task AssertClosed(Socket client)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Wait.Long);
        try
        {
            while (await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0) { }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    private Task WaitForLog(string text) => Wait.Until(() => _logs.Contains(text), () => $"the log line '{text}' in:\n{_logs.Dump()}");
}
