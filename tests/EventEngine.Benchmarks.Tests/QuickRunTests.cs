using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;
using EventEngine.Actors.TestSupport;

namespace EventEngine.Benchmarks.Tests;

/// <summary>
/// Smoke test of the bench program: `--quick` runs every scenario small, and each one must have run and delivered
/// everything. Speed is never asserted (these machines are noisy); docs/benchmarks.md holds the figures.
/// </summary>
public partial class QuickRunTests(ITestOutputHelper output)
{
    private static readonly string[] Scenarios = ["pipeline", "latency", "fanout", "scale", "external", "codecs", "cluster"];

    [Fact]
    public async Task Every_scenario_runs_and_delivers_everything_in_a_quick_run()
    {
        var charts = Directory.CreateTempSubdirectory("eventengine-bench-charts-");
        try
        {
            var (exit, stdout, stderr) = await RunAsync(BenchDll(), $"--quick --charts \"{charts.FullName}\"", TimeSpan.FromSeconds(180));
            output.WriteLine(stdout);
            var context = $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}";
            Assert.True(exit == 0, context);

            var results = ResultLine().Matches(stdout).Select(m => (Scenario: m.Groups[1].Value, Line: m.Value,
                Delivered: long.Parse(m.Groups[2].Value), Expected: long.Parse(m.Groups[3].Value))).ToList();
            foreach (var scenario in Scenarios)
                Assert.True(results.Any(r => r.Scenario == scenario), $"no result line for scenario {scenario}\n{context}");
            foreach (var result in results)
                Assert.True(result.Expected > 0 && result.Delivered == result.Expected, $"not everything was delivered: {result.Line}");
            Assert.Contains($"scenarios ran={string.Join(",", Scenarios)} failures=0", stdout);

            // The charts are written by the program itself.
            foreach (var chart in new[] { "benchmarks-scale.svg", "benchmarks-latency.svg" })
            {
                var path = Path.Combine(charts.FullName, chart);
                Assert.True(File.Exists(path), $"{chart} was not written");
                Assert.StartsWith("<svg", await File.ReadAllTextAsync(path));
            }
        }
        finally
        {
            charts.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_scenario_is_refused_with_a_clear_error()
    {
        var (exit, _, stderr) = await RunAsync(BenchDll(), "--quick --scenarios nosuch", TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown scenario 'nosuch'", stderr);
    }

    [Theory]
    [InlineData("engine")]
    [InlineData("akka")]
    [InlineData("async-operator")]
    public async Task A_pipeline_case_runs_in_a_child_process_of_its_own_and_prints_what_it_measured(string mode)
    {
        // What the full pipeline scenario starts per run (the quick run above stays in one process).
        var (result, line) = await ChildResultAsync($"pipeline-child --mode {mode} --messages 20000", "pipeline-result", TimeSpan.FromSeconds(120));
        Assert.Equal(20_000, result.GetProperty("Delivered").GetInt64());
        Assert.True(result.GetProperty("Seconds").GetDouble() > 0, line);
    }

    [Theory]
    [InlineData("engine")]
    [InlineData("engine-wire-off")]
    [InlineData("akka")]
    [InlineData("akka-untyped")]
    public async Task A_scale_case_runs_in_a_child_process_of_its_own_and_every_plugin_gets_the_tick(string mode)
    {
        // What the full scale scenario starts per size and mode (the one-plugin start-up target uses all four).
        var (result, line) = await ChildResultAsync($"scale-child --plugins 3 --mode {mode}", "scale-result", TimeSpan.FromSeconds(120));
        Assert.Equal(3, result.GetProperty("Delivered").GetInt64());
        Assert.True(result.GetProperty("StartupMs").GetDouble() > 0, line);
    }

    [Theory]
    [InlineData("engine")]
    [InlineData("engine-cluster")]
    public async Task A_pipeline_run_timed_from_its_middle_says_what_it_timed(string mode)
    {
        // The cluster scenario's local comparison: one engine per process, no warm-up runs, the clock from event 10,000.
        var (result, line) = await ChildResultAsync($"pipeline-child --mode {mode} --messages 20000 --measure-from 10000 --warm-up-runs 0",
            "pipeline-result", TimeSpan.FromSeconds(120));
        Assert.Equal(20_000, result.GetProperty("Delivered").GetInt64());
        Assert.Equal(10_000, result.GetProperty("MeasuredFrom").GetInt64());
        Assert.True(result.GetProperty("Seconds").GetDouble() > 0, line);
        Assert.True(result.GetProperty("TimedCpuSeconds").GetDouble() > 0, line);
    }

    [Fact]
    public async Task An_idle_case_runs_in_a_child_process_and_prints_its_cost_per_second()
    {
        var (result, line) = await ChildResultAsync("idle-child --mode engine --window-seconds 1", "idle-result", TimeSpan.FromSeconds(60));
        Assert.True(result.GetProperty("CpuMsPerSecond").GetDouble() > 0, line);
        Assert.True(result.GetProperty("SwitchesPerSecond").GetDouble() >= 0, line);
    }

    [Fact]
    public async Task A_pipeline_child_refuses_an_unknown_case()
    {
        var (exit, _, stderr) = await RunAsync(BenchDll(), "pipeline-child --mode nosuch --messages 20000", TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains("nosuch", stderr);
    }

    [GeneratedRegex(@"^result scenario=(\w+) .* delivered=(\d+) expected=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();

    /// <summary>
    /// Runs a hidden child sub-command of the bench, asserts it exited 0, and returns the JSON of its one line starting
    /// with <paramref name="marker"/> (and the line, for messages).
    /// </summary>
    private static async Task<(System.Text.Json.JsonElement Result, string Line)> ChildResultAsync(string arguments, string marker, TimeSpan timeout)
    {
        var (exit, stdout, stderr) = await RunAsync(BenchDll(), arguments, timeout);
        Assert.True(exit == 0, $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var line = stdout.Split('\n').Single(l => l.StartsWith($"{marker} ", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(line[(marker.Length + 1)..]);
        return (json.RootElement.Clone(), line);
    }

    /// <summary>The built bench dll, in the configuration these tests were built with.</summary>
    private static string BenchDll() => ProgramRunner.BuiltDll("bench", "EventEngine.Benchmarks");

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string dll, string arguments, TimeSpan timeout)
    {
        var (exit, stdout, stderr) = await ProgramRunner.RunAsync(dll, arguments, timeout);
        return (exit, stdout.Replace("\r", ""), stderr);
    }
}
