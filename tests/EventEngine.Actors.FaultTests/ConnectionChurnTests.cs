using System.Globalization;
using System.Net.Sockets;
using System.Text;
using NetMQ;
using NetMQ.Sockets;
using Xunit.Abstractions;

namespace EventEngine.Actors.FaultTests;

/// <summary>Peers that come and go by the thousand: the engine (a separate process, measured from outside) keeps nothing of them.</summary>
public sealed class ConnectionChurnTests(ITestOutputHelper output)
{
    private const int Cycles = 1000;
    private const int Events = 1000;

    private sealed record Stats(int Threads, int Fds, long Heap, int Outside)
    {
        public override string ToString() => $"threads {Threads}, open files {Fds}, managed heap {Heap / 1024} KiB, outside prefixes {Outside}";
    }

    private static async Task<Stats> StatsOf(ChildProcess engine)
    {
        var m = await engine.Ask("stats", @"^stats threads=(\d+) fds=(\d+) heap=(\d+) outside=(\d+)$");
        return new Stats(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>One cycle: a REQ with a request, a PUB with a frame, a SUB with a subscription, and a bare TCP connection, each connected then gone.</summary>
    private static void Cycle(int i, int pluginPort, int publishPort, int subscribePort)
    {
        using (var req = new RequestSocket())
        {
            req.Options.Linger = TimeSpan.Zero;
            req.Connect($"tcp://127.0.0.1:{pluginPort}");
            req.SendFrame("plugin_command: churn");
            Assert.True(req.TryReceiveFrameString(TimeSpan.FromSeconds(20), out var reply));
            Assert.Equal("event-engine: bad msg: unknown command 'churn'", reply);
        }
        using (var pub = new PublisherSocket())
        {
            pub.Options.Linger = TimeSpan.Zero;
            pub.Connect($"tcp://127.0.0.1:{publishPort}");
            pub.SendFrame(Encoding.ASCII.GetBytes($"Churn{i}"));
        }
        using (var sub = new SubscriberSocket())
        {
            sub.Options.Linger = TimeSpan.Zero;
            sub.Connect($"tcp://127.0.0.1:{subscribePort}");
            sub.Subscribe($"Churn{i}");
        }
        using var tcp = new TcpClient("127.0.0.1", publishPort);
    }

    [Fact]
    public async Task A_thousand_connect_disconnect_cycles_leave_threads_open_files_and_heap_where_they_were()
    {
        using var engine = ChildProcess.FaultHost("serve", "--external", "Victim", "--hocon", "akka.loglevel = ERROR");
        var ready = await engine.WaitForMatch(@"^ready pid=\d+ publish=(\d+) subscribe=(\d+) plugin:Victim=(\d+)$");
        var (publish, subscribe, plugin) = (int.Parse(ready.Groups[1].Value), int.Parse(ready.Groups[2].Value), int.Parse(ready.Groups[3].Value));
        using (var first = new PluginPeer(plugin)) first.ExpectNothingMore(); // the plugin showed up: the engine starts
        await engine.Ask($"publish {Events}", $"^published {Events}$"); // queued for Victim meanwhile

        for (var i = 0; i < 200; i++) Cycle(i, plugin, publish, subscribe); // warm-up: lazily created threads and buffers exist
        var before = await StatsOf(engine);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Cycles; i++) Cycle(i, plugin, publish, subscribe);
        clock.Stop();

        // Connections close asynchronously on both sides, and idle thread-pool threads retire after about 20 s: wait
        // (bounded) for the engine to let go of them.
        Stats after = before;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            after = await StatsOf(engine);
            if (after.Threads <= before.Threads + 5 && after.Fds <= before.Fds + 5 && after.Heap <= before.Heap + 20 * 1024 * 1024 && after.Outside == 0) break;
            await Task.Delay(250);
        }
        output.WriteLine($"{Cycles} cycles of 4 connections in {clock.Elapsed.TotalSeconds:F1} s; before: {before}; after: {after}");
        Assert.True(after.Threads <= before.Threads + 5, $"threads: before {before}; after {Cycles} cycles ({clock.Elapsed.TotalSeconds:F1} s) {after}");
        Assert.True(after.Fds <= before.Fds + 5, $"open files: before {before}; after {after}");
        Assert.True(after.Heap <= before.Heap + 20 * 1024 * 1024, $"managed heap: before {before}; after {after}");
        Assert.Equal(0, after.Outside); // every churned subscription left the routing table

        // A well-behaved plugin still gets every one of its events, exactly once, in order.
        using var victim = new PluginPeer(plugin);
        Assert.Equal(Enumerable.Range(0, Events).Select(i => $"TypeA{i}"), victim.Take(Events));
        victim.ExpectNothingMore();
        engine.WriteLine("stop");
        Assert.Equal(0, await engine.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
