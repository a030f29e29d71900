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
/// trip), with the original's functions unchanged on this pyevents (batches behind the scenes), and with the fast mode
/// (next_batch / publish_batch), against a pure pyzmq REQ&lt;-&gt;REP loop (Python on both ends, one 200-byte event per
/// round trip: pyevents/bench_reqrep.py). Loop and engine cases alternate round after round; medians are compared.
/// </summary>
public static class External
{
    /// <summary>Each case: the Python plugin's mode, whether it is a fast one, the target ratio to the loop.</summary>
    private static readonly (string Mode, bool Fast, double Target)[] Cases =
    [
        ("recv-original", false, 1.0),
        ("recv-original-api", true, 10),
        ("recv-fast", true, 15),
        ("pub-original", false, 1.0),
        ("pub-fast", true, 15),
    ];

    public static async Task RunAsync(BenchContext context)
    {
        var original = context.Quick ? 500 : 20_000;
        var fast = context.Quick ? 5_000 : 500_000;
        var rounds = context.Quick ? 1 : 3;
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 120);
        // The Python-to-Python loop is the noisiest figure of all: it runs before every round of the engine's cases,
        // and medians are compared (every run is printed on stderr).
        var loop = new List<double>();
        // Each case runs on every transport asked for, one after the other (alternating within the round).
        var cases = Cases.SelectMany(c => context.PluginTransports.Select(t => (Name: BenchContext.OnTransport(c.Mode, t), Transport: t, Case: c))).ToList();
        var measured = cases.ToDictionary(c => c.Name, _ => new List<(double Rate, long Delivered)>());
        for (var round = 1; round <= rounds; round++)
        {
            loop.Add(await PyZmqLoop(context, original, timeout));
            Console.Error.WriteLine($"bench: external round {round}: pure pyzmq REQ<->REP loop {loop[^1]:N0} round trips/s");
            foreach (var (name, transport, (mode, isFast, _)) in cases)
            {
                var count = isFast ? fast : original;
                var (rate, delivered) = await Run(context, mode, transport, count, timeout);
                Console.Error.WriteLine($"bench: external round {round}: {name}: {rate:N0} events/s ({rate / loop[^1]:F2}x), {delivered} of {count} delivered");
                measured[name].Add((rate, delivered));
            }
        }
        var baseline = Stats.Median(loop);
        foreach (var (name, _, (_, isFast, target)) in cases)
        {
            var rate = Stats.Median(measured[name].Select(r => r.Rate));
            var delivered = measured[name].Min(r => r.Delivered);
            context.Results.Add(new Row("external", name, "throughput", "events/s", rate, "pyzmq-reqrep-loop", baseline, true, delivered, isFast ? fast : original));
            if (context.Quick) continue;
            context.Results.Check($"external {name} >= {target:0.#}x the pyzmq REQ/REP loop (median of {rounds} alternating rounds)",
                rate >= target * baseline, $"{rate / baseline:F2}x ({rate:N0} vs {baseline:N0} events/s)");
        }
    }

    private static async Task<(double Rate, long Delivered)> Run(BenchContext context, string mode, string? transport, int count, TimeSpan timeout)
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
            }, timeout, extraConfig: BenchContext.TransportConfig(transport), onCreated: engine => python = PythonProcess.Start(context, BenchContext.ScriptPath("bench_plugin.py"),
                [mode, "--count", $"{count}", "--size", $"{BenchEvent.FrameSize}", "--filter", "BenchEvt", "--batch", "1000"],
                new Dictionary<string, string>
                {
                    ["EVENT_ENGINE_PORT"] = $"{engine.ExternalPluginPort("PyBench")}",
                    // recv-original speaks the original protocol (what the original's own events.py sends)
                    ["PYEVENTS_NEXT_MSG_BATCH"] = mode == "recv-original" ? "0" : "",
                }));
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
