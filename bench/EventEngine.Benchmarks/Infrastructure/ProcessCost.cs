using System.Diagnostics;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// This process's processor time (all threads) and bytes allocated at one moment; <see cref="Since"/> gives what was
/// spent after it: the figures a busy machine distorts least, printed beside the rates.
/// </summary>
public readonly record struct ProcessCost(TimeSpan Cpu, long Allocated)
{
    public static ProcessCost Now() => new(Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true));

    /// <summary>What this process spent from <paramref name="start"/> until now.</summary>
    public static ProcessCost Since(ProcessCost start)
    {
        var now = Now();
        return new ProcessCost(now.Cpu - start.Cpu, now.Allocated - start.Allocated);
    }
}
