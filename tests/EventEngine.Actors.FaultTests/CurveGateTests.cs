using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetMQ;
using Xunit.Abstractions;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 5: the CURVE gate out of file descriptors, and its connection cap.</summary>
public sealed class CurveGateTests(ITestOutputHelper output)
{
    private static readonly NetMQCertificate Server = new();

    /// <summary>What a ZMTP 3 client sends first (signature and major version): the gate then opens its way to NetMQ.</summary>
    private static readonly byte[] Zmtp3Opening = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3];

    private static string CurveOn(int maxConnections = 1000) =>
        $"event-engine.security.curve {{ enabled = on, server-secret-key = \"{Server.SecretKeyZ85}\", max-connections = {maxConnections} }}";

    [Fact]
    public async Task Short_of_file_descriptors_the_gate_refuses_connections_with_one_log_line_and_serves_again_once_some_are_free()
    {
        // The engine process gets 400 descriptors (it starts with about 150); each connection held through the gate costs it three.
        using var engine = new ChildProcess("/usr/bin/prlimit", ["--nofile=400:400", "--", Paths.Dotnet, Paths.FaultHostDll, "serve", "--hocon", CurveOn()]);
        var port = int.Parse((await engine.WaitForMatch(@"^ready pid=\d+ publish=(\d+)")).Groups[1].Value, CultureInfo.InvariantCulture);
        const string shortOf = "Refused a connection to the wire.publish-port (out-of-descriptors)";

        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 300 && !engine.Lines.Any(l => l.Contains(shortOf)); i++) held.Add(await Open(port));
            await engine.WaitForMatch(Regex.Escape(shortOf));

            // Short of descriptors: every further connection is closed at once, with no further line and no hot loop.
            var cpuBefore = CpuSeconds(engine.Id);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 50; i++)
            {
                using var refused = await Open(port);
                using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                Assert.Equal(0, await refused.ReceiveAsync(new byte[16], SocketFlags.None, readTimeout.Token));
            }
            var cpu = CpuSeconds(engine.Id) - cpuBefore;
            output.WriteLine($"{held.Count} connections held; 50 refused in {clock.Elapsed.TotalSeconds:F1} s using {cpu:F2} s of the engine's CPU");
            Assert.InRange(cpu, 0, 1 + clock.Elapsed.TotalSeconds); // loose (a busy machine): a hot loop would take a core for as long as it lasts
            Assert.Single(engine.Lines, l => l.Contains(shortOf));

            foreach (var socket in held) socket.Dispose();
            held.Clear();
            var deadline = DateTime.UtcNow + Wait.Long;
            while (!await Served(port)) Assert.True(DateTime.UtcNow < deadline, $"no connection was served once descriptors were free:\n{engine.Tail()}");
            var again = await engine.WaitForMatch(@"Serving connections to the wire.publish-port again: (\d+) refused");
            Assert.InRange(int.Parse(again.Groups[1].Value, CultureInfo.InvariantCulture), 50, 400);
            Assert.False(engine.HasExited, engine.Tail());
            Assert.DoesNotContain(engine.Lines, l => l.Contains("Unhandled exception") || l.StartsWith("ERROR", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    [Fact]
    public async Task Past_max_connections_the_gate_refuses_counts_and_logs_and_serves_again_below_it()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]), CurveOn(maxConnections: 5));
        var port = t.Engine.SubscribePort;
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 5; i++) held.Add(await Open(port));
            var refused = new List<Socket>();
            for (var i = 0; i < 20; i++) refused.Add(await Open(port));
            await Wait.Until(() => t.Metrics.Sum("event_engine.connections.refused", "reason", "connection-cap") == 20,
                () => $"20 refusals for the cap (have {t.Metrics.Sum("event_engine.connections.refused", "reason", "connection-cap")}); log:\n{t.Log.Dump()}");
            foreach (var socket in refused)
            {
                using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, readTimeout.Token)); // closed by the gate
                socket.Dispose();
            }
            Assert.Single(Regex.Matches(t.Log.Dump(), "connection-cap")); // one line for 20 refusals
            Assert.Contains("max-connections", t.Log.Dump());

            foreach (var socket in held) socket.Dispose();
            held.Clear();
            // Below the cap again: a new connection is let through (the gate answers the ZMTP 3 opening with NetMQ's greeting).
            var deadline = DateTime.UtcNow + Wait.Long;
            while (!await Served(port)) Assert.True(DateTime.UtcNow < deadline, "no connection was served once the others were gone");
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    private static async Task<bool> Served(int port)
    {
        using var socket = await Open(port);
        using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await socket.ReceiveAsync(new byte[64], SocketFlags.None, readTimeout.Token) > 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<Socket> Open(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Zmtp3Opening);
        return socket;
    }

    // utime + stime of /proc/PID/stat, in seconds (clock ticks of 100 Hz).
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
