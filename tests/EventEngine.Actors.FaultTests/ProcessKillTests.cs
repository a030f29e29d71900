using System.Text.RegularExpressions;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// An external plugin process killed with SIGKILL mid-stream: the engine restarts it, hands it every event queued for
/// it, and hands out again the events it had taken but not acknowledged (at-least-once across a restart).
/// </summary>
public sealed class ProcessKillTests
{
    private const int Total = 200;
    private const int StallAt = 50;

    /// <summary>
    /// The plugin: appends every event it takes to a log file. Its first process stops after <c>StallAt</c> events,
    /// holding the last one unacknowledged (it never sends its next request), and waits to be killed; the next process
    /// reads on until the last event, then quits. argv: log, mode (original: the original protocol, one next_msg per
    /// event, which pyevents' get_next_msg speaks with PYEVENTS_NEXT_MSG_BATCH=0; batch: EngineClient batches of 16,
    /// each batch written to the log as it arrives).
    /// </summary>
    private const string Plugin = """
        import os, sys, time
        log, mode = sys.argv[1], sys.argv[2]
        first = not os.path.exists(log + ".gen1")
        open(log + ".gen1", "a").close()
        print("python pid=%d generation=%d" % (os.getpid(), 1 if first else 2), flush=True)
        out = open(log, "a")
        def record(frames):
            out.write("".join(f.decode() + "\n" for f in frames)); out.flush()
        if mode == "original":
            os.environ["PYEVENTS_NEXT_MSG_BATCH"] = "0"
            import zmq
            from pyevents.events import get_plugin_socket, get_next_msg, send_quit_command
            ctx = zmq.Context()
            s = get_plugin_socket(ctx, int(os.environ["EVENT_ENGINE_PORT"]))
            n = 0
            while True:
                m = get_next_msg(s)
                record([m]); n += 1
                if first and n == 50:
                    print("stalled holding %s" % m.decode(), flush=True)
                    time.sleep(3600)
                if m == b"TypeA199":
                    break
            send_quit_command(s); s.close(linger=2000); ctx.term()  # term flushes the quit before the process ends
        else:
            from pyevents import EngineClient
            c = EngineClient()
            n = 0
            while True:
                batch = c.next_batch(16)
                record([b"batch"] + batch); n += len(batch)
                if first and n >= 50:
                    print("stalled holding a batch of %d" % len(batch), flush=True)
                    time.sleep(3600)
                if batch[-1] == b"TypeA199":
                    break
            c.quit()
        """;

    [Theory]
    [InlineData("original")]
    [InlineData("batch")]
    public async Task A_plugin_process_killed_mid_stream_is_restarted_gets_every_queued_event_and_the_one_in_flight_again(string mode)
    {
        using var files = new TempFiles();
        var log = files.New(".log");
        var script = Paths.Script(files, Plugin);
        await using var t = TestEngine.Start(e => e.AddExternalPlugin(new ExternalPlugin("Py", 0, ["TypeA"]) { Command = [script, log, mode] }));
        try
        {
            await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Wait.Long);
            for (var i = 0; i < Total / 2; i++) await t.Engine.PublishAsync(new TypeA($"{i}")); // queued before the plugin even runs

            await Wait.Until(() => t.Log.Contains("stalled holding"), () => "the first process to stall\n" + t.Log.Dump());
            var pid = int.Parse(t.Log.Events.Select(e => e.Message.ToString()!).First(m => m.Contains("generation=1")).Split(' ')[1]["pid=".Length..]);
            var seenBeforeKill = File.ReadAllLines(log);
            Assert.Equal(0, Native.Kill(pid, Native.SigKill));
            for (var i = Total / 2; i < Total; i++) await t.Engine.PublishAsync(new TypeA($"{i}")); // queued while it is down

            await Wait.Until(() => t.Log.Contains("External plugin Py quit"), () => "the restarted plugin to read everything and quit\n" + t.Log.Dump(), TimeSpan.FromSeconds(60));
            var lines = File.ReadAllLines(log);
            var expected = Enumerable.Range(0, Total).Select(i => $"TypeA{i}").ToList();
            var second = lines[seenBeforeKill.Length..];
            if (mode == "original")
            {
                Assert.Equal(expected.Take(StallAt), seenBeforeKill); // the first process took 50 events, the 50th unacknowledged
                Assert.Equal(expected.Skip(StallAt - 1), second); // the second gets the 50th again, then everything else
                Assert.Equal(Total + 1, lines.Length);
            }
            else
            {
                // The first process's last batch was unacknowledged: the second starts with exactly that batch again.
                var lastBatch = seenBeforeKill.Skip(Array.LastIndexOf(seenBeforeKill, "batch") + 1).ToList();
                var firstEvents = seenBeforeKill.Where(l => l != "batch").ToList();
                var secondEvents = second.Where(l => l != "batch").ToList();
                Assert.Equal(expected.Take(firstEvents.Count), firstEvents);
                Assert.Equal(expected.Skip(firstEvents.Count - lastBatch.Count), secondEvents);
                Assert.Equal(Total + lastBatch.Count, firstEvents.Count + secondEvents.Count);
            }
            Assert.False(ProcInfo.IsAlive(pid));
            Assert.Equal(1, t.Metrics.Sum("event_engine.plugin.process_restarts", "plugin", "Py"));
            await Wait.Until(() => t.Log.Contains("Plugin process Py exited with code 137 before the plugin quit; restarting it in"), () => t.Log.Dump());
            Assert.Equal(0, t.Metrics.Sum("event_engine.events.dropped"));
        }
        finally
        {
            File.Delete(log + ".gen1");
        }
    }

    /// <summary>
    /// Issue 10 item 10: each killed process's <c>Process</c> object is disposed once its exit is handled, so the engine
    /// closes its ends of the process's stdout and stderr pipes before the next process starts (before: they stayed open
    /// until a garbage collection happened to finalize them, two descriptors per restart).
    /// </summary>
    [Fact]
    public async Task A_killed_plugin_process_is_released_its_output_pipes_closed_before_the_next_process_starts()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin(new ExternalPlugin("Sleeper", 0, ["TypeA"])
        {
            Command = ["/bin/sleep", "3600"],
            Interpreter = "",
        }), "event-engine.gateway.processes.on-crash-loop = keep-retrying"); // it never connects: every exit is a start-up failure
        var killedPipes = new List<string>();
        var pid = await NextProcess(t, previous: 0);
        for (var round = 0; round < 3; round++)
        {
            var pipes = Pipes(pid, "1", "2"); // its stdout and stderr, which the engine reads
            Assert.Equal(2, pipes.Count);
            Assert.Subset(Pipes(Environment.ProcessId).ToHashSet(), pipes.ToHashSet()); // the engine holds their read ends
            Assert.Equal(0, Native.Kill(pid, Native.SigKill));
            killedPipes.AddRange(pipes);
            pid = await NextProcess(t, pid);
        }

        Assert.Empty(Pipes(Environment.ProcessId).Intersect(killedPipes));
        Assert.Equal(3, t.Metrics.Sum("event_engine.plugin.process_restarts", "plugin", "Sleeper"));
    }

    private static async Task<int> NextProcess(TestEngine t, int previous)
    {
        var pid = 0;
        await Wait.Until(() =>
        {
            var started = t.Log.Events.Select(e => Regex.Match(e.Message?.ToString() ?? "", @"^Plugin process Sleeper started \(pid (\d+)\)$"))
                .LastOrDefault(m => m.Success);
            pid = started is null ? 0 : int.Parse(started.Groups[1].Value);
            return pid != 0 && pid != previous;
        }, () => "the plugin process to be (re)started\n" + t.Log.Dump());
        return pid;
    }

    // The pipes (pipe:[inode]) open on the given descriptors of a process, or on all of them.
    private static List<string> Pipes(int pid, params string[] fds) =>
        (fds.Length > 0 ? fds.Select(fd => $"/proc/{pid}/fd/{fd}") : Directory.GetFiles($"/proc/{pid}/fd"))
        .Select(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                return null; // closed meanwhile
            }
        })
        .OfType<string>().Where(target => target.StartsWith("pipe:[", StringComparison.Ordinal)).ToList();
}
