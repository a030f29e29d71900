using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventEngine.Actors.Events;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>A text event (the load test's and the original example's shape).</summary>
public sealed record TextEvent(string Text);

/// <summary>A count event (the original's TypeB / the load test's OperatorMsg shape).</summary>
public sealed record CountEvent(long Count);

/// <summary>
/// Per-event cost of the engine's codecs on the wire path (whole frames: filter + payload): MessagePack (the default)
/// against the original's text layouts, for the same events.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    public static readonly EventType<TextEvent> TextAsMessagePack = EventType.Create<TextEvent>(name: "TextEvt");
    public static readonly EventType<TextEvent> TextAsUtf8 = EventType.Utf8Text<TextEvent>(e => e.Text, s => new TextEvent(s), name: "TextEvt");
    public static readonly EventType<CountEvent> CountAsMessagePack = EventType.Create<CountEvent>(name: "CountEvt");
    public static readonly EventType<CountEvent> CountAsDecimal = EventType.Decimal<CountEvent>(e => e.Count, n => new CountEvent(n), name: "CountEvt");

    public static readonly TextEvent Text = new(new string('X', 192)); // a 200-byte frame in the text layout
    public static readonly CountEvent Count = new(549);

    private byte[] _textMessagePack = [];
    private byte[] _textUtf8 = [];
    private byte[] _countMessagePack = [];
    private byte[] _countDecimal = [];

    [GlobalSetup]
    public void Setup()
    {
        _textMessagePack = TextAsMessagePack.Encode(Text);
        _textUtf8 = TextAsUtf8.Encode(Text);
        _countMessagePack = CountAsMessagePack.Encode(Count);
        _countDecimal = CountAsDecimal.Encode(Count);
    }

    [Benchmark] public byte[] TextMessagePackEncode() => TextAsMessagePack.Encode(Text);

    [Benchmark] public byte[] TextUtf8Encode() => TextAsUtf8.Encode(Text);

    [Benchmark] public TextEvent TextMessagePackDecode() => TextAsMessagePack.Decode(_textMessagePack);

    [Benchmark] public TextEvent TextUtf8Decode() => TextAsUtf8.Decode(_textUtf8);

    [Benchmark] public byte[] CountMessagePackEncode() => CountAsMessagePack.Encode(Count);

    [Benchmark] public byte[] CountDecimalEncode() => CountAsDecimal.Encode(Count);

    [Benchmark] public CountEvent CountMessagePackDecode() => CountAsMessagePack.Decode(_countMessagePack);

    [Benchmark] public CountEvent CountDecimalDecode() => CountAsDecimal.Decode(_countDecimal);
}

/// <summary>
/// f. codecs: MessagePack vs the text layouts, ns per event, with BenchmarkDotNet (in process; <c>--quick</c> runs
/// BenchmarkDotNet's dry job, one invocation each, and takes its figures from a short stopwatch loop instead).
/// </summary>
public static class Codecs
{
    public static void Run(BenchContext context)
    {
        var cases = new[]
        {
            ("text-200B", "encode", nameof(CodecBenchmarks.TextMessagePackEncode), "utf8-text", nameof(CodecBenchmarks.TextUtf8Encode)),
            ("text-200B", "decode", nameof(CodecBenchmarks.TextMessagePackDecode), "utf8-text", nameof(CodecBenchmarks.TextUtf8Decode)),
            ("count", "encode", nameof(CodecBenchmarks.CountMessagePackEncode), "decimal", nameof(CodecBenchmarks.CountDecimalEncode)),
            ("count", "decode", nameof(CodecBenchmarks.CountMessagePackDecode), "decimal", nameof(CodecBenchmarks.CountDecimalDecode)),
        };
        var roundTrips = RoundTrips();
        var measured = RunBenchmarkDotNet(context.Quick);
        if (context.Quick)
        {
            // A dry run proves the benchmarks run; its single cold invocation is no figure. Time a short loop instead.
            var benchmarks = new CodecBenchmarks();
            benchmarks.Setup();
            var loops = new Dictionary<string, Func<object>>
            {
                [nameof(CodecBenchmarks.TextMessagePackEncode)] = benchmarks.TextMessagePackEncode,
                [nameof(CodecBenchmarks.TextUtf8Encode)] = benchmarks.TextUtf8Encode,
                [nameof(CodecBenchmarks.TextMessagePackDecode)] = benchmarks.TextMessagePackDecode,
                [nameof(CodecBenchmarks.TextUtf8Decode)] = benchmarks.TextUtf8Decode,
                [nameof(CodecBenchmarks.CountMessagePackEncode)] = benchmarks.CountMessagePackEncode,
                [nameof(CodecBenchmarks.CountDecimalEncode)] = benchmarks.CountDecimalEncode,
                [nameof(CodecBenchmarks.CountMessagePackDecode)] = benchmarks.CountMessagePackDecode,
                [nameof(CodecBenchmarks.CountDecimalDecode)] = benchmarks.CountDecimalDecode,
            };
            foreach (var (method, loop) in loops) measured[method] = Stopwatch(loop, 20_000);
        }
        foreach (var (name, operation, engine, baselineName, baseline) in cases)
        {
            var ok = roundTrips[engine] && roundTrips[baseline];
            context.Results.Add(new Row("codecs", name, operation, "ns/event", measured.GetValueOrDefault(engine, double.NaN),
                baselineName, measured.GetValueOrDefault(baseline, double.NaN), false, ok ? 1 : 0, 1));
        }
    }

    /// <summary>Every codec gives back what it was given (the codec scenario's "delivered everything").</summary>
    private static Dictionary<string, bool> RoundTrips()
    {
        var text = CodecBenchmarks.TextAsMessagePack.Decode(CodecBenchmarks.TextAsMessagePack.Encode(CodecBenchmarks.Text)) == CodecBenchmarks.Text;
        var utf8 = CodecBenchmarks.TextAsUtf8.Decode(CodecBenchmarks.TextAsUtf8.Encode(CodecBenchmarks.Text)) == CodecBenchmarks.Text;
        var count = CodecBenchmarks.CountAsMessagePack.Decode(CodecBenchmarks.CountAsMessagePack.Encode(CodecBenchmarks.Count)) == CodecBenchmarks.Count;
        var dec = CodecBenchmarks.CountAsDecimal.Decode(CodecBenchmarks.CountAsDecimal.Encode(CodecBenchmarks.Count)) == CodecBenchmarks.Count;
        return new Dictionary<string, bool>
        {
            [nameof(CodecBenchmarks.TextMessagePackEncode)] = text,
            [nameof(CodecBenchmarks.TextMessagePackDecode)] = text,
            [nameof(CodecBenchmarks.TextUtf8Encode)] = utf8,
            [nameof(CodecBenchmarks.TextUtf8Decode)] = utf8,
            [nameof(CodecBenchmarks.CountMessagePackEncode)] = count,
            [nameof(CodecBenchmarks.CountMessagePackDecode)] = count,
            [nameof(CodecBenchmarks.CountDecimalEncode)] = dec,
            [nameof(CodecBenchmarks.CountDecimalDecode)] = dec,
        };
    }

    /// <summary>Runs the BenchmarkDotNet class in process; returns the mean ns per invocation by method name.</summary>
    private static Dictionary<string, double> RunBenchmarkDotNet(bool dry)
    {
        var job = (dry ? Job.Dry : Job.ShortRun).WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(10), logOutput: false));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(dry ? NullLogger.Instance : new StderrLogger())
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "eventengine-bench-artifacts"))
            // the smoke test runs a Debug build; figures of a full run come from a Release build (docs/benchmarks.md)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);
        if (!dry) config = config.AddDiagnoser(MemoryDiagnoser.Default);
        var summary = BenchmarkRunner.Run<CodecBenchmarks>(config);
        if (summary.HasCriticalValidationErrors)
            throw new InvalidOperationException("BenchmarkDotNet refused the codec benchmarks: " +
                string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
        var means = new Dictionary<string, double>();
        if (summary.Reports.Length != typeof(CodecBenchmarks).GetMethods().Count(m => m.GetCustomAttributes(typeof(BenchmarkAttribute), false).Length > 0))
            throw new InvalidOperationException($"BenchmarkDotNet ran {summary.Reports.Length} codec benchmarks, expected 8");
        Console.Error.WriteLine($"bench: codecs: BenchmarkDotNet {(dry ? "dry run" : "ShortRun")} of {summary.Reports.Length} benchmarks in process, {summary.TotalTime.TotalSeconds:F1} s");
        foreach (var report in summary.Reports)
        {
            if (!report.Success) throw new InvalidOperationException($"codec benchmark {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} failed");
            means[report.BenchmarkCase.Descriptor.WorkloadMethod.Name] = report.ResultStatistics?.Mean ?? double.NaN;
        }
        return means;
    }

    private static double Stopwatch(Func<object> action, int iterations)
    {
        for (var i = 0; i < iterations / 10; i++) action();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++) action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds / iterations;
    }

    /// <summary>BenchmarkDotNet's log on stderr, so stdout keeps only the figures.</summary>
    private sealed class StderrLogger : ILogger
    {
        public string Id => nameof(StderrLogger);

        public int Priority => 0;

        public void Write(LogKind logKind, string text) => Console.Error.Write(text);

        public void WriteLine() => Console.Error.WriteLine();

        public void WriteLine(LogKind logKind, string text) => Console.Error.WriteLine(text);

        public void Flush() => Console.Error.Flush();
    }
}
