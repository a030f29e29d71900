using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Benchmarks.Tests;

/// <summary>
/// Smoke test of the bench program: `--quick` runs every scenario small, and each one must have run and delivered
/// everything. Speed is never asserted (these machines are noisy); docs/benchmarks.md holds the figures.
/// </summary>
public partial class QuickRunTests(ITestOutputHelper output)
{
    private static readonly string[] Scenarios = ["pipeline", "latency", "fanout", "scale", "external", "codecs"];

    [Fact]
    public async Task Every_scenario_runs_and_delivers_everything_in_a_quick_run()
    {
        var charts = Directory.CreateTempSubdirectory("eventengine-bench-charts-");
        try
        {
            var (exit, stdout, stderr) = await RunAsync(BenchDll(), $"--quick --charts \"{charts.FullName}\"", TimeSpan.FromSeconds(120));
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

    [GeneratedRegex(@"^result scenario=(\w+) .* delivered=(\d+) expected=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();

    /// <summary>The built bench dll, in the configuration these tests were built with.</summary>
    private static string BenchDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(RepoRoot(), "bench", "EventEngine.Benchmarks", "bin", configuration, "net10.0", "EventEngine.Benchmarks.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        return dll;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EventEngine.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (EventEngine.Actors.sln) above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string dll, string arguments, TimeSpan timeout)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit(); // drains the output readers
        return (process.ExitCode, stdout.ToString().Replace("\r", ""), stderr.ToString());
    }
}
