using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using EventEngine.Actors.Events;
using EventEngine.Actors.Gateway;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>A latency probe between internal plugins: its sequence number and the Stopwatch timestamp of its publication.</summary>
public sealed record LatencyProbe(int Seq, long Stamp);

/// <summary>A latency probe for a Python plugin: <c>PyProbe</c> + "seq monotonic-ns " + padding to 200 bytes (text layout).</summary>
public sealed record PyProbe(string Text) : IEventDefinition<PyProbe>
{
    public const int FrameSize = 200;

    public static EventType<PyProbe> Definition { get; } = EventType.Utf8Text<PyProbe>(e => e.Text, s => new PyProbe(s));

    public static PyProbe Create(int seq)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{seq} {Pacing.MonotonicNanos(Stopwatch.GetTimestamp())} ");
        return new PyProbe(text.PadRight(FrameSize - "PyProbe".Length, 'X'));
    }
}

/// <summary>Records how long each probe took from its publication to this handler.</summary>
public sealed class LatencyConsumer : EventPlugin
{
    public LatencyConsumer(long[] latencies, StrongBox<int> received)
    {
        Subscribe<LatencyProbe>(p =>
        {
            latencies[p.Seq] = Stopwatch.GetTimestamp() - p.Stamp;
            if (++received.Value == latencies.Length) Finish();
        });
    }
}

/// <summary>A mutable box (plugin constructor arguments are fixed at registration).</summary>
public sealed class StrongBox<T>
{
    public T Value = default!;
}

/// <summary>
/// b. latency: publish-to-handler latency p50/p99/p99.9 at fixed offered loads (10k/s, 100k/s), internal -> internal
/// (against a bare Akka actor fed by the same pacer) and internal -> an external Python plugin in fast mode (against a
/// pure pyzmq REP server serving the same client).
/// </summary>
public static class Latency
{
    private static readonly double[] Reported = [50, 99, 99.9];

    public static async Task RunAsync(BenchContext context)
    {
        var seconds = context.Quick ? new[] { 0.2, 0.05 } : [5.0, 3.0];
        var rates = new[] { 10_000, 100_000 };
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 120);
        await Internal(500, 10_000, timeout); // warm-up (JIT), unmeasured
        for (var i = 0; i < rates.Length; i++)
        {
            var total = (int)(rates[i] * seconds[i]);
            var skip = total / 10;
            var (engine, engineCount) = await Internal(total, rates[i], timeout);
            var (akka, akkaCount) = await Akka(total, rates[i], timeout);
            if (akkaCount != total) context.Results.Fail($"latency: bare Akka handled {akkaCount} of {total}");
            var name = $"internal@{rates[i] / 1000}k/s";
            var engineSorted = Pacing.Sorted(engine, skip);
            var akkaSorted = Pacing.Sorted(akka, skip);
            foreach (var p in Reported)
                context.Results.Add(new Row("latency", name, $"p{p:G}", "us", Pacing.Percentile(engineSorted, p), "akka",
                    Pacing.Percentile(akkaSorted, p), false, engineCount, total));
            context.Results.LatencyCurves[$"engine {name}"] = Pacing.CurvePercentiles.Select(p => (p, Pacing.Percentile(engineSorted, p))).ToList();
            context.Results.LatencyCurves[$"bare Akka {name}"] = Pacing.CurvePercentiles.Select(p => (p, Pacing.Percentile(akkaSorted, p))).ToList();
            if (!context.Quick && rates[i] == 10_000)
                context.Results.Check("latency internal p99 < 1 ms at 10k/s", Pacing.Percentile(engineSorted, 99) < 1000,
                    $"p99 {Pacing.Percentile(engineSorted, 99):F0} us (bare Akka {Pacing.Percentile(akkaSorted, 99):F0} us)");
        }
        await Python(context, 3_000, 0, 10_000, timeout); // warm-up of the gateway path (JIT, tiering), unmeasured
        for (var i = 0; i < rates.Length; i++)
        {
            var total = (int)(rates[i] * seconds[i]);
            var skip = total / 10;
            var name = $"python@{rates[i] / 1000}k/s";
            var engine = await Python(context, total, skip, rates[i], timeout);
            var baseline = await PythonBaseline(context, total, skip, rates[i], timeout);
            if (baseline.GetProperty("events").GetInt64() != total) context.Results.Fail($"latency: the pyzmq baseline delivered {baseline.GetProperty("events")} of {total}");
            foreach (var p in Reported)
                context.Results.Add(new Row("latency", name, $"p{p:G}", "us", Micros(engine, p), "pyzmq-rep",
                    Micros(baseline, p), false, engine.GetProperty("events").GetInt64(), total));
            context.Results.LatencyCurves[$"engine {name}"] = Pacing.CurvePercentiles.Select(p => (p, Micros(engine, p))).ToList();
            context.Results.LatencyCurves[$"pyzmq REP {name}"] = Pacing.CurvePercentiles.Select(p => (p, Micros(baseline, p))).ToList();
            if (!context.Quick && rates[i] == 10_000)
                context.Results.Check("latency to Python p99 < 5 ms at 10k/s", Micros(engine, 99) < 5000,
                    $"p99 {Micros(engine, 99):F0} us (pyzmq REP server {Micros(baseline, 99):F0} us)");
        }
    }

    private static double Micros(JsonElement result, double p) =>
        result.GetProperty($"p{p.ToString(CultureInfo.InvariantCulture)}_us").GetDouble();

    private static async Task<(long[] Latencies, int Received)> Internal(int total, double rate, TimeSpan timeout)
    {
        var latencies = new long[total];
        var received = new StrongBox<int>();
        await EngineRunner.RunAsync("latency", engine => engine.AddPlugin<LatencyConsumer>(args: [latencies, received]), timeout,
            onStarted: engine => Pacing.Run(total, rate, i => engine.Publish(new LatencyProbe(i, Stopwatch.GetTimestamp()))));
        return (latencies, received.Value);
    }

    private static async Task<(long[] Latencies, int Received)> Akka(int total, double rate, TimeSpan timeout)
    {
        var latencies = new long[total];
        var system = ActorSystem.Create("latency-akka", EngineRunner.Config());
        try
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = system.ActorOf(Props.Create(() => new AkkaConsumer(latencies, done)).WithDispatcher("event-engine.dispatchers.plugins"));
            await Pacing.Run(total, rate, i => consumer.Tell(new LatencyProbe(i, Stopwatch.GetTimestamp()), ActorRefs.NoSender));
            return (latencies, await Task.WhenAny(done.Task, Task.Delay(timeout)) == done.Task ? done.Task.Result : 0);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class AkkaConsumer : ReceiveActor
    {
        public AkkaConsumer(long[] latencies, TaskCompletionSource<int> done)
        {
            var count = 0;
            Receive<LatencyProbe>(p =>
            {
                latencies[p.Seq] = Stopwatch.GetTimestamp() - p.Stamp;
                if (++count == latencies.Length) done.TrySetResult(count);
            });
        }
    }

    private static async Task<JsonElement> Python(BenchContext context, int total, int skip, double rate, TimeSpan timeout)
    {
        PythonProcess? python = null;
        try
        {
            var run = await EngineRunner.RunAsync("latency-python",
                engine => engine.AddEventType(PyProbe.Definition).AddExternalPlugin("PyLatency", 0, ["PyProbe"]), timeout,
                onCreated: engine => python = PythonProcess.Start(context, BenchContext.ScriptPath("bench_plugin.py"),
                    ["latency", "--count", $"{total}", "--skip", $"{skip}", "--filter", "PyProbe", "--batch", "1000"],
                    new Dictionary<string, string> { ["EVENT_ENGINE_PORT"] = $"{engine.ExternalPluginPort("PyLatency")}" }),
                onStarted: engine => Pacing.Run(total, rate, i => engine.Publish(PyProbe.Create(i))));
            if (!run.Completed) throw new TimeoutException($"the engine serving Python probes did not complete:\n{python?.Output()}");
            return await python!.ResultAsync(timeout);
        }
        finally
        {
            if (python is not null) await python.DisposeAsync();
        }
    }

    private static async Task<JsonElement> PythonBaseline(BenchContext context, int total, int skip, double rate, TimeSpan timeout)
    {
        await using var server = PythonProcess.Start(context, BenchContext.ScriptPath("latency_server.py"),
            ["--rate", rate.ToString(CultureInfo.InvariantCulture), "--count", $"{total}", "--filter", "PyProbe"]);
        var port = await server.WaitReadyAsync(timeout);
        await using var client = PythonProcess.Start(context, BenchContext.ScriptPath("bench_plugin.py"),
            ["latency", "--port", port, "--count", $"{total}", "--skip", $"{skip}", "--filter", "PyProbe", "--batch", "1000"]);
        var result = await client.ResultAsync(timeout);
        await server.ExitAsync(timeout);
        return result;
    }
}
