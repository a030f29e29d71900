using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>A plugin that does nothing until the engine stops.</summary>
public sealed class IdlePlugin : EventPlugin;

/// <summary>
/// idle (opt-in, by name only): what a started engine with one plugin and nothing to do costs, processor time and
/// context switches per second over <see cref="WindowSeconds"/> seconds, against a bare ActorSystem with one actor that has used
/// Akka's scheduler once (a timer), and one that never has; each in a fresh process, alternating. Also the engine with
/// Akka's scheduler ticking every 100 ms instead of 10 ms: once anything has been scheduled, the scheduler ticks for the
/// rest of the system's life, and each tick wakes the .NET thread pool.
/// </summary>
public static class Idle
{
    public const string Name = "idle";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private const int WindowSeconds = 10;
    private static readonly string[] Modes = ["engine", "akka-timer", "akka", "engine-tick-100ms"];

    public static async Task RunAsync(BenchContext context)
    {
        var rounds = context.Quick ? 1 : 3;
        var runs = Modes.ToDictionary(m => m, _ => new List<IdleOutcome>());
        for (var round = 0; round < rounds; round++)
            foreach (var mode in Modes)
            {
                using var child = ChildProgram.Start("idle-child", "--mode", mode);
                runs[mode].Add(JsonSerializer.Deserialize<IdleOutcome>(await child.WaitForLine("idle-result ", TimeSpan.FromSeconds(60)))!);
            }
        foreach (var (mode, outcomes) in runs)
            Console.Error.WriteLine($"bench: idle {mode}: {string.Join(", ", outcomes.Select(o => $"{o.CpuMsPerSecond:F1} ms/s, {o.SwitchesPerSecond:N0} switches/s"))}");
        IdleOutcome Median(string mode) => runs[mode].OrderBy(o => o.CpuMsPerSecond).ElementAt(runs[mode].Count / 2);
        var (engine, akkaTimer, akka, tick) = (Median("engine"), Median("akka-timer"), Median("akka"), Median("engine-tick-100ms"));
        foreach (var (name, baseline) in new[] { ("akka (1 actor, 1 timer used)", akkaTimer), ("akka (1 actor, scheduler never used)", akka) })
        {
            context.Results.Add(new Row("idle", "1 plugin", "processor time", "ms/s", engine.CpuMsPerSecond, name, baseline.CpuMsPerSecond, false, 0, 0));
            context.Results.Add(new Row("idle", "1 plugin", "context switches", "1/s", engine.SwitchesPerSecond, name, baseline.SwitchesPerSecond, false, 0, 0));
        }
        context.Results.Add(new Row("idle", "1 plugin, akka.scheduler.tick-duration = 100ms", "processor time", "ms/s", tick.CpuMsPerSecond, "default tick (10ms)",
            engine.CpuMsPerSecond, false, 0, 0));
    }

    /// <summary>The hidden <c>idle-child</c> sub-command: one mode in this process; prints <c>idle-result {json}</c>.</summary>
    public static Command ChildCommand()
    {
        var mode = new Option<string>("--mode") { Required = true };
        mode.AcceptOnlyFromAmong(Modes);
        var window = new Option<int>("--window-seconds") { DefaultValueFactory = _ => WindowSeconds, Description = "How long the idle process is measured" };
        var command = new Command("idle-child", "One case of the idle scenario in this process (used by the idle scenario)") { mode, window };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            var chosen = parse.GetValue(mode)!;
            var config = EngineRunner.Config($"""
                event-engine.run-mode = service
                {(chosen == "engine-tick-100ms" ? "akka.scheduler.tick-duration = 100ms" : "")}
                """);
            var system = ActorSystem.Create("idle", config);
            if (chosen.StartsWith("akka", StringComparison.Ordinal)) system.ActorOf(Props.Create(() => new IdleActor(chosen == "akka-timer")));
            else await Actors.EventEngine.Start(system, e => e.AddPlugin<IdlePlugin>()).Started.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(Settle);
            var (cpu, switches) = (Process.GetCurrentProcess().TotalProcessorTime, ContextSwitches());
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(parse.GetValue(window)));
            var seconds = clock.Elapsed.TotalSeconds;
            var outcome = new IdleOutcome((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / seconds, (ContextSwitches() - switches) / seconds);
            Console.WriteLine("idle-result " + JsonSerializer.Serialize(outcome));
            await system.Terminate();
            return 0;
        });
        return command;
    }

    /// <summary>Voluntary and involuntary context switches of every thread of this process so far (Linux /proc).</summary>
    private static long ContextSwitches() => Directory.GetDirectories("/proc/self/task").Sum(task =>
    {
        try
        {
            return File.ReadLines(Path.Combine(task, "status"))
                .Where(l => l.StartsWith("voluntary_ctxt_switches:") || l.StartsWith("nonvoluntary_ctxt_switches:"))
                .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..]));
        }
        catch (IOException)
        {
            return 0L; // a thread that ended while we read
        }
    });

    private sealed class IdleActor : ReceiveActor, IWithTimers
    {
        public IdleActor(bool useTimer)
        {
            ReceiveAny(_ => { });
            if (useTimer) Timers.StartSingleTimer("once", "tick", TimeSpan.FromMilliseconds(100));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}

/// <summary>What one idle run cost per second.</summary>
public sealed record IdleOutcome(double CpuMsPerSecond, double SwitchesPerSecond);
