using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Samples.LoadTest;
using NetMQ;

// The original event-engine's load test on EventEngine.Actors: Producer -> Operator -> Accumulator.
// Progress goes to stderr; the last line of stdout is the machine-readable result.
var messages = new Option<long>("--messages") { Description = "Events the producer publishes", DefaultValueFactory = _ => 1_000_000 };
var minSize = new Option<int>("--min-size") { Description = "Smallest payload (bytes)", DefaultValueFactory = _ => 100 };
var maxSize = new Option<int>("--max-size") { Description = "Largest payload (bytes)", DefaultValueFactory = _ => 1000 };
var bareAkka = new Option<bool>("--bare-akka")
{
    Description = "Run the baseline instead of the engine: the same three stages as bare Akka.NET actors (run it as its own cold process to compare)",
};
var root = new RootCommand("EventEngine.Actors load test (the original's producer -> operator -> accumulator)") { messages, minSize, maxSize, bareAkka };
root.SetAction(async (parse, _) =>
{
    LoadTestPlan plan;
    try
    {
        plan = new LoadTestPlan(parse.GetValue(messages), parse.GetValue(minSize), parse.GetValue(maxSize)).Validate();
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"loadtest: {e.Message}");
        return 2;
    }
    var result = new TaskCompletionSource<LoadTestResult>(TaskCreationOptions.RunContinuationsAsynchronously);
    var config = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        event-engine.wire { publish-port = 0, subscribe-port = 0 }
        """);
    if (parse.GetValue(bareAkka))
    {
        var bare = await BareAkkaPipeline.RunAsync(plan, config, TimeSpan.FromHours(1));
        return Report(plan, bare?.Result ?? new LoadTestResult(0, 0), bare?.Elapsed ?? TimeSpan.Zero, bare?.Cpu ?? TimeSpan.Zero, "bare-akka", 0);
    }
    var clock = new Stopwatch();
    var cpuAtStart = TimeSpan.Zero;
    using var progress = new Timer(_ => Console.Error.WriteLine($"loadtest: {clock.Elapsed.TotalSeconds:F1}s running"), null, 1000, 1000);
    var run = EventEngineApplication.RunAsync(
        engine => engine.AddLoadTest(plan, result),
        config,
        engine => engine.Started.ContinueWith(_ =>
        {
            cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Start();
        }, TaskContinuationOptions.ExecuteSynchronously),
        "loadtest");
    // The clock runs from the start-up barrier to the accumulator's last event, not through shutdown.
    await Task.WhenAny(result.Task, run);
    clock.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
    var exit = await run;
    NetMQConfig.Cleanup(block: false);
    return Report(plan, result.Task.IsCompletedSuccessfully ? result.Task.Result : new LoadTestResult(0, 0), clock.Elapsed, cpu, null, exit);
});
return await root.Parse(args).InvokeAsync();

// The result line; the exit code is non-zero unless every event was delivered with the right sum.
// cpu_s: the process's CPU time over the measured span (both cores): steadier than the rate on a busy machine.
static int Report(LoadTestPlan plan, LoadTestResult result, TimeSpan elapsed, TimeSpan cpu, string? baseline, int exit)
{
    var seconds = elapsed.TotalSeconds;
    var rate = seconds > 0 ? (long)(result.Delivered / seconds) : 0;
    var peakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
    var allocatedMb = GC.GetTotalAllocatedBytes() / (1024 * 1024);
    var collections = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
    var gcPauseMs = (long)GC.GetTotalPauseDuration().TotalMilliseconds;
    var expected = plan.ExpectedSum();
    if (result.Delivered != plan.Messages || result.Sum != expected)
        Console.Error.WriteLine($"loadtest: FAILED: expected {plan.Messages} events summing to {expected}, accumulator saw {result.Delivered} summing to {result.Sum}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"loadtest {(baseline is null ? "" : $"baseline={baseline} ")}messages={plan.Messages} delivered={result.Delivered} sum={result.Sum} seconds={seconds:F3} cpu_s={cpu.TotalSeconds:F3} msgs_per_s={rate} peak_rss_mb={peakRssMb} allocated_mb={allocatedMb} gc0/1/2={collections} gc_pause_ms={gcPauseMs}"));
    return result.Delivered == plan.Messages && result.Sum == expected && exit == 0 ? 0 : 1;
}
