using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EventEngine.Actors.FaultTests;

/// <summary>A producer offering far more than its consumers take: flow control pauses it; nothing is lost and memory stays bounded.</summary>
public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Consumers_at_1000_events_a_second_under_a_producer_offering_100000_a_second_for_10_s_lose_nothing_in_bounded_memory()
    {
        // slow-consumer mode (a separate engine process, so its peak RSS is its own): PacedProducer offers 100,000 Num
        // events/s for 10 s; SlowConsumer (internal) and PySlow (a Python process reading one event per next_msg) each
        // take ~1 ms per event. Flow control window 2000/1000 (so the backlog drains in about 2 s after the 10 s).
        using var engine = ChildProcess.FaultHost("slow-consumer", "--seconds", "10", "--rate", "100000", "--consumer-millis", "1");
        var result = await engine.WaitForMatch(
            @"^result offered=(\d+) published=(\d+) internal=(\d+) internal_ordered=(\w+) external received=(\d+) ordered=(\w+)$", TimeSpan.FromSeconds(90));
        var peakRssKb = ProcInfo.StatusKb(engine.Id, "VmHWM"); // while it waits for us, before it exits
        engine.WriteLine("exit");
        Assert.Equal(0, await engine.WaitForExit(TimeSpan.FromSeconds(30)));

        long Number(int group) => long.Parse(result.Groups[group].Value);
        var (offered, published, internalCount, externalCount) = (Number(1), Number(2), Number(3), Number(5));
        output.WriteLine($"offered {offered}, published {published}, internal consumer {internalCount}, external consumer {externalCount}, peak RSS {peakRssKb / 1024} MiB");
        Assert.Equal(1_000_000, offered);
        Assert.InRange(published, 1, 25_000); // paused by flow control: the consumers set the pace (about 8,500 measured; 1,000,000 offered)
        Assert.Equal(published, internalCount); // zero loss, in order
        Assert.Equal("true", result.Groups[4].Value);
        Assert.Equal(published, externalCount);
        Assert.Equal("true", result.Groups[6].Value);
        Assert.InRange(peakRssKb, 1, 300 * 1024);
        Assert.DoesNotContain(engine.Lines, l => Regex.IsMatch(l, "^(ERROR|WARN) ") && !l.Contains("PySlow", StringComparison.Ordinal));
    }
}
