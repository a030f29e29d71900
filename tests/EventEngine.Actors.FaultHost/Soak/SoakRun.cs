using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Gateway;
using EventEngine.Samples.Example;
using NetMQ;
using NetMQ.Sockets;
using Engine = EventEngine.Actors.EventEngine;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>
/// <c>soak --seconds N</c>: everything at once for N seconds, in this process: the original example's internal plugins,
/// two paced internal sources, three Python plugins the engine launches (PySlow reads one event at a time, slowly;
/// PyKilled is killed with SIGKILL at random intervals; PyBurst publishes bursts), hostile peers on the publish,
/// subscribe and a plugin port, and TCP subscribers that come and go. Then it stops the sources, waits for every
/// loss-free path to deliver what its source published (count and sum per source), and checks that RSS, open fds and
/// threads did not grow after warm-up (the first minute, or a third of a shorter run). The last line of stdout is
/// <c>soak seconds=N events=E lost=L kills=K restarts=R rss_start_mb=A rss_end_mb=B fds_start=C fds_end=D
/// threads_start=T threads_end=U</c>; the exit code is 1 if anything was lost or grew, else the engine's.
/// </summary>
internal static class SoakRun
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3); // for each wait: start-up, draining at the end

    private sealed record Outcome(ProcessSample Start, ProcessSample End, long Kills, IReadOnlyList<string> Problems, string Outsiders);

    public static async Task<int> RunAsync(Options options)
    {
        var ledger = new SoakLedger();
        using var counters = new SoakCounters();
        var pidFile = Path.Combine(Path.GetTempPath(), $"soak-pykilled-{Environment.ProcessId}.pid");
        Task<Outcome>? soak = null;
        var config = ConfigurationFactory.ParseString(string.Join("\n", options.Hocon)).WithFallback(ConfigurationFactory.ParseString("""
            event-engine {
              flow-control { high-water-mark = 1000, low-water-mark = 500 }
              # PyKilled is killed at random, sometimes before it connected: keep restarting it.
              gateway.processes.on-crash-loop = keep-retrying
            }
            """)).WithFallback(EngineRun.Defaults());
        var exit = await EventEngineApplication.RunAsync(engine => engine
                .AddExamplePlugins()
                .AddPlugin<SoakChecker>("Checker", ledger)
                .AddPlugin<SeqSource>("SeqSource", ledger.SeqSource, 300.0)
                .AddPlugin<TickSource>("TickSource", ledger.TickSource, 150.0)
                .AddExternalPlugin("PySlow", 0, ["Tick"], [EngineRun.Script("soak_slow.py"), "0.01"])
                .AddExternalPlugin("PyKilled", 0, ["Seq"], [EngineRun.Script("soak_killed.py"), pidFile])
                .AddExternalPlugin("PyBurst", 0, ["SoakStop"], [EngineRun.Script("soak_burst.py"), "100", "0.5"])
                .AddExternalPlugin("Target", 0, ["SoakNothing"]), // the hostile peers' plugin port (no process of its own)
            config, engine => soak = Task.Run(() => Drive(engine, ledger, pidFile, options.Seconds)), "soak");
        File.Delete(pidFile);
        var outcome = soak is null ? null : await soak;
        NetMQConfig.Cleanup(block: false);
        if (outcome is null) return 1;

        var paths = ledger.Paths();
        foreach (var path in paths) Console.WriteLine(path);
        Console.WriteLine(outcome.Outsiders);
        Console.WriteLine($"dropped {counters.Dropped}");
        var problems = outcome.Problems.Concat(paths.Where(p => !p.SumsAgree).Select(p => $"sums differ on {p.Name}")).ToList();
        if (exit != 0) problems.Add($"the engine exited with code {exit}");
        foreach (var problem in problems) Console.WriteLine($"PROBLEM {problem}");
        var lost = paths.Sum(p => p.Lost);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak seconds={options.Seconds:F0} events={counters.Published} lost={lost} kills={outcome.Kills} restarts={counters.ProcessRestarts} " +
            $"rss_start_mb={outcome.Start.RssMb:F0} rss_end_mb={outcome.End.RssMb:F0} fds_start={outcome.Start.Fds} fds_end={outcome.End.Fds} " +
            $"threads_start={outcome.Start.Threads} threads_end={outcome.End.Threads}"));
        return lost > 0 || problems.Count > 0 ? 1 : 0;
    }

    private static async Task<Outcome> Drive(Engine engine, SoakLedger ledger, string pidFile, double seconds)
    {
        var problems = new List<string>();
        try
        {
            // Target's port has no process: a well-behaved peer shows up first (the start-up barrier waits for it).
            using var target = new RequestSocket($"tcp://127.0.0.1:{engine.ExternalPluginPort("Target")}");
            target.Options.Linger = TimeSpan.Zero;
            target.SendFrame("SoakHello");
            await engine.Started.WaitAsync(Deadline);
            var clock = Stopwatch.StartNew();
            Console.WriteLine($"soak running for {seconds:F0} s: publish={engine.PublishPort} subscribe={engine.SubscribePort} target={engine.ExternalPluginPort("Target")}");

            using var stop = new CancellationTokenSource();
            var outsiders = new Outsiders(engine.PublishPort, engine.SubscribePort, engine.ExternalPluginPort("Target"));
            var churn = Task.Run(() => outsiders.RunAsync(stop.Token));
            var killer = Task.Run(() => KillAtRandom(pidFile, stop.Token));

            var warmUp = TimeSpan.FromSeconds(Math.Min(60, seconds / 3));
            ProcessSample? start = null;
            var next = TimeSpan.FromSeconds(10);
            var stopped = engine.System.WhenTerminated;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                if (stopped.IsCompleted) throw new InvalidOperationException($"the engine stopped after {clock.Elapsed.TotalSeconds:F0} s");
                await Task.Delay(TimeSpan.FromMilliseconds(200));
                if (start is null && clock.Elapsed >= warmUp)
                {
                    start = await outsiders.Quiet(ProcessSample.Take);
                    Console.WriteLine($"soak warmed up at {clock.Elapsed.TotalSeconds:F0} s: {start}");
                }
                if (clock.Elapsed < next) continue;
                next += TimeSpan.FromSeconds(10);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"soak t={clock.Elapsed.TotalSeconds:F0}s seq={ledger.Seq.Distinct.Count} kill_echo={ledger.KillEcho.Distinct.Count} slow_echo={ledger.SlowEcho.Distinct.Count} burst={ledger.Burst.Distinct.Count} {ProcessSample.Take()}"));
            }
            stop.Cancel();
            var kills = await killer;
            await churn;
            var end = ProcessSample.Take();
            problems.AddRange(end.GrowthBeyondBounds(start ?? end));

            // The end: sources stop, PyBurst says how many it published, every path must deliver all of it.
            ledger.SeqSource.Stop();
            ledger.TickSource.Stop();
            await Task.WhenAll(ledger.SeqSource.Stopped.Task, ledger.TickSource.Stopped.Task).WaitAsync(Deadline);
            engine.Publish(new SoakStop((long)seconds));
            var drain = Stopwatch.StartNew();
            while (!ledger.Paths().All(p => p.Complete) && drain.Elapsed < Deadline && !stopped.IsCompleted) await Task.Delay(100);
            Console.WriteLine($"soak drained in {drain.Elapsed.TotalSeconds:F1} s");
            target.TryReceiveFrameString(TimeSpan.Zero, out _);
            return new Outcome(start ?? end, end, kills, problems,
                $"outsiders subscribers={outsiders.Subscribers} frames_received={outsiders.FramesReceived} hostile_peers={outsiders.HostilePeers}");
        }
        catch (Exception e)
        {
            problems.Add($"the soak failed: {e}");
            var now = ProcessSample.Take();
            return new Outcome(now, now, 0, problems, "outsiders ?");
        }
        finally
        {
            await CoordinatedShutdown.Get(engine.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
    }

    /// <summary>SIGKILLs PyKilled's current process every 1-5 s (once it got as far as its port); returns how many it killed.</summary>
    private static async Task<long> KillAtRandom(string pidFile, CancellationToken stop)
    {
        var random = new Random(11);
        long kills = 0;
        var lastKilled = 0;
        while (true)
        {
            try
            {
                await Task.Delay(random.Next(1000, 5000), stop);
            }
            catch (OperationCanceledException)
            {
                return kills;
            }
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), out var pid) || pid == lastKilled) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(); // SIGKILL
                kills++;
                lastKilled = pid;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // it is gone already
            }
        }
    }
}

/// <summary>The engine's counters the soak reports: events published, plugin process restarts, drops by reason.</summary>
internal sealed class SoakCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _dropped = new();
    private long _published;
    private long _restarts;

    public SoakCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "EventEngine.Actors" && instrument.Name is "event_engine.events.published" or "event_engine.plugin.process_restarts" or "event_engine.events.dropped")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            switch (instrument.Name)
            {
                case "event_engine.events.published":
                    Interlocked.Add(ref _published, value);
                    break;
                case "event_engine.plugin.process_restarts":
                    Interlocked.Add(ref _restarts, value);
                    break;
                default:
                    var reason = "?";
                    foreach (var tag in tags) if (tag.Key == "reason") reason = tag.Value?.ToString() ?? "?";
                    lock (_dropped) _dropped[reason] = _dropped.GetValueOrDefault(reason) + value;
                    break;
            }
        });
        _listener.Start();
    }

    public long Published => Interlocked.Read(ref _published);

    public long ProcessRestarts => Interlocked.Read(ref _restarts);

    public string Dropped
    {
        get
        {
            lock (_dropped) return _dropped.Count == 0 ? "none" : string.Join(" ", _dropped.Select(d => $"{d.Key}={d.Value}"));
        }
    }

    public void Dispose() => _listener.Dispose();
}
