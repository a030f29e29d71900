using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Issue 10 item 11: `FaultHost soak --seconds 30` (everything at once: the example's plugins, three Python plugins the
/// engine launches, one of them SIGKILLed at random, hostile peers, TCP subscribers coming and going) loses nothing on
/// the loss-free paths and does not grow after warm-up. The program checks both and exits non-zero otherwise; the
/// 10-minute run is in docs/reliability.md.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Seconds = 30;

    [Fact]
    public async Task A_30_second_soak_of_every_kind_of_plugin_with_kills_and_hostile_peers_loses_nothing_and_does_not_grow()
    {
        using var soak = ChildProcess.FaultHost("soak", "--seconds", Seconds.ToString(CultureInfo.InvariantCulture));
        var code = await soak.WaitForExit(TimeSpan.FromMinutes(8)); // 30 s of soak, start-up and draining on a busy machine
        var last = soak.Lines[^1];
        output.WriteLine(string.Join("\n", soak.Lines.Where(l => l.StartsWith("path ", StringComparison.Ordinal) || l.StartsWith("soak", StringComparison.Ordinal))));

        var result = Regex.Match(last,
            @"^soak seconds=30 events=(\d+) lost=(\d+) kills=(\d+) restarts=(\d+) rss_start_mb=(\d+) rss_end_mb=(\d+) fds_start=(\d+) fds_end=(\d+) threads_start=(\d+) threads_end=(\d+)$");
        Assert.True(result.Success, $"the last line is not the soak's summary:\n{soak.Tail(80)}");
        Assert.True(code == 0, $"exit code {code}:\n{soak.Tail(80)}");
        long Field(int i) => long.Parse(result.Groups[i].Value, CultureInfo.InvariantCulture);
        Assert.Equal(0, Field(2));
        Assert.InRange(Field(1), 1000, long.MaxValue); // events flowed
        Assert.InRange(Field(3), 1, long.MaxValue); // PyKilled was killed at least once (every 1-5 s) ...
        Assert.InRange(Field(4), 1, long.MaxValue); // ... and restarted by the engine
        Assert.DoesNotContain(soak.Lines, l => l.StartsWith("PROBLEM", StringComparison.Ordinal) || l.StartsWith("ERROR", StringComparison.Ordinal));
    }
}
