using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventEngine.Actors.Events;
using EventEngine.Actors.Gateway;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>The external scenario's event: filter <c>BenchEvt</c> + text, 200 bytes on the wire (the original's text layout).</summary>
public sealed record BenchEvent(string Text) : IEventDefinition<BenchEvent>
{
    public const int FrameSize = 200;

    public static EventType<BenchEvent> Definition { get; } = EventType.Utf8Text<BenchEvent>(e => e.Text, s => new BenchEvent(s), name: "BenchEvt");

    public static BenchEvent Sample { get; } = new(new string('X', FrameSize - "BenchEvt".Length));
}

/// <summary>Publishes <c>count</c> events for the Python plugin as fast as flow control lets it.</summary>
public sealed class ExternalFeeder(long count) : EventPlugin
{
    protected override async Task OnStartAsync()
    {
        for (long i = 0; i < count; i++) await PublishAsync(BenchEvent.Sample);
        Finish();
    }
}

/// <summary>Counts the events the Python plugin publishes.</summary>
public sealed class ExternalSink : EventPlugin
{
    public ExternalSink(long count, ScaleTally tally)
    {
        Subscribe<BenchEvent>(_ =>
        {
            tally.Seen();
            if (tally.Delivered == count) Finish();
        });
    }
}

/// <summary>
/// e. external: events/s a Python plugin receives and publishes with the original protocol (one event per REQ/REP round
/// trip) and with the fast mode (next_batch / publish_batch), against a pure pyzmq REQ&lt;-&gt;REP loop (Python on both
/// ends, one 200-byte event per round trip: pyevents/bench_reqrep.py) measured in the same run.
/// </summary>
public static class External
{
    public static async Task RunAsync(BenchContext context)
    {
        var original = context.Quick ? 500 : 20_000;
        var fast = context.Quick ? 5_000 : 500_000;
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 120);
        // The Python-to-Python loop is the noisiest figure of all: measure it before and after the engine's runs and
        // compare with the faster of the two (the conservative ratio).
        var before = await PyZmqLoop(context, original, timeout);
        var measured = new List<(string Mode, int Count, double Rate, long Delivered)>();
        foreach (var (mode, count) in new[] { ("recv-original", original), ("recv-fast", fast), ("pub-original", original), ("pub-fast", fast) })
        {
            var (rate, delivered) = await Run(context, mode, count, timeout);
            Console.Error.WriteLine($"bench: external {mode}: {rate:N0} events/s, {delivered} of {count} delivered");
            measured.Add((mode, count, rate, delivered));
        }
        var after = context.Quick ? before : await PyZmqLoop(context, original, timeout);
        var loop = Math.Max(before, after);
        Console.Error.WriteLine($"bench: external: pure pyzmq REQ<->REP loop {before:N0} round trips/s before, {after:N0} after");
        foreach (var (mode, count, rate, delivered) in measured)
        {
            context.Results.Add(new Row("external", mode, "throughput", "events/s", rate, "pyzmq-reqrep-loop", loop, true, delivered, count));
            if (context.Quick) continue;
            if (mode.EndsWith("fast", StringComparison.Ordinal))
                context.Results.Check($"external {mode} >= 15x the pyzmq REQ/REP loop", rate >= 15 * loop, $"{rate / loop:F1}x ({rate:N0} vs {loop:N0} events/s)");
            else
                context.Results.Check($"external {mode} >= 0.8x the pyzmq REQ/REP loop", rate >= 0.8 * loop, $"{rate / loop:F2}x ({rate:N0} vs {loop:N0} events/s)");
        }
    }

    private static async Task<(double Rate, long Delivered)> Run(BenchContext context, string mode, int count, TimeSpan timeout)
    {
        var receiving = mode.StartsWith("recv", StringComparison.Ordinal);
        var sunk = new ScaleTally();
        PythonProcess? python = null;
        try
        {
            var run = await EngineRunner.RunAsync($"external-{mode}", engine =>
            {
                engine.AddEventType(BenchEvent.Definition);
                if (receiving)
                    engine.AddPlugin<ExternalFeeder>(args: (long)count).AddExternalPlugin("PyBench", 0, ["BenchEvt"]);
                else
                    engine.AddPlugin<ExternalSink>(args: [(long)count, sunk]).AddExternalPlugin("PyBench", 0, []);
            }, timeout, onCreated: engine => python = PythonProcess.Start(context, BenchContext.ScriptPath("bench_plugin.py"),
                [mode, "--count", $"{count}", "--size", $"{BenchEvent.FrameSize}", "--filter", "BenchEvt", "--batch", "1000"],
                new Dictionary<string, string> { ["EVENT_ENGINE_PORT"] = $"{engine.ExternalPluginPort("PyBench")}" }));
            if (!run.Completed) throw new TimeoutException($"external {mode}: the engine did not complete:\n{python?.Output()}");
            var result = await python!.ResultAsync(timeout);
            var delivered = receiving ? result.GetProperty("events").GetInt64() : sunk.Delivered;
            return (result.GetProperty("rate").GetDouble(), delivered);
        }
        finally
        {
            if (python is not null) await python.DisposeAsync();
        }
    }

    /// <summary>The baseline: pyevents/bench_reqrep.py, one 200-byte event per round trip between two Python processes.</summary>
    private static async Task<double> PyZmqLoop(BenchContext context, int count, TimeSpan timeout)
    {
        var script = context.RepoRoot is { } root ? Path.Combine(root, "pyevents", "bench_reqrep.py") : null;
        if (script is null || !File.Exists(script)) throw new FileNotFoundException("pyevents/bench_reqrep.py (the baseline) is not found; run the bench inside the repository");
        await using var python = PythonProcess.Start(context, script, ["--count", $"{count}", "--single", "--size", $"{BenchEvent.FrameSize}"]);
        await python.ExitAsync(timeout);
        var match = Regex.Match(python.Output(), @"events/s: ([\d,]+)");
        if (!match.Success) throw new InvalidOperationException($"bench_reqrep.py printed no rate:\n{python.Output()}");
        return double.Parse(match.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
    }
}
