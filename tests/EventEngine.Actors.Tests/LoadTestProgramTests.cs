using System.Text.RegularExpressions;
using Xunit;

namespace EventEngine.Actors.Tests;

public class LoadTestProgramTests
{
    [Theory]
    [InlineData("", "loadtest ")]                                // the engine
    [InlineData(" --bare-akka", "loadtest baseline=bare-akka ")] // its baseline, the same workload on bare Akka.NET actors
    public async Task The_load_test_delivers_everything_and_ends_with_its_result_line(string option, string prefix)
    {
        var (exit, stdout, stderr) = await ProgramRunner.RunAsync(ProgramRunner.ExampleDll("EventEngine.LoadTest"),
            "--messages 50000 --min-size 100 --max-size 1000" + option, TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var last = stdout.TrimEnd().Split('\n')[^1];
        Assert.Matches(new Regex("^" + prefix + @"messages=50000 delivered=50000 sum=27398540 seconds=\d+\.\d{3} cpu_s=\d+\.\d{3} msgs_per_s=\d+ peak_rss_mb=\d+ allocated_mb=\d+ gc0/1/2=\d+/\d+/\d+ gc_pause_ms=\d+$"), last);
    }

    [Fact]
    public async Task Bad_arguments_get_a_clear_error_and_a_non_zero_exit()
    {
        var (exit, _, stderr) = await ProgramRunner.RunAsync(ProgramRunner.ExampleDll("EventEngine.LoadTest"),
            "--messages 10 --min-size 50 --max-size 20", TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains("min-size <= max-size", stderr);
    }
}
