using System.Globalization;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>This process's resident memory, open file descriptors and threads, from /proc.</summary>
public sealed record ProcessSample(double RssMb, int Fds, int Threads)
{
    public static ProcessSample Take()
    {
        var rssKb = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..]
            .Trim().Split(' ')[0];
        return new ProcessSample(long.Parse(rssKb, CultureInfo.InvariantCulture) / 1024.0,
            Directory.GetFiles("/proc/self/fd").Length, Directory.GetDirectories("/proc/self/task").Length);
    }

    /// <summary>What growth from <paramref name="start"/> (after warm-up) to this sample the soak tolerates.</summary>
    public IEnumerable<string> GrowthBeyondBounds(ProcessSample start)
    {
        if (RssMb > start.RssMb * 1.10 + 20) yield return $"RSS grew from {start.RssMb:F0} MB to {RssMb:F0} MB (bound: +10% +20 MB)";
        if (Fds > start.Fds + FdSlack) yield return $"open fds grew from {start.Fds} to {Fds} (bound: +{FdSlack})";
        if (Threads > start.Threads + ThreadSlack) yield return $"threads grew from {start.Threads} to {Threads} (bound: +{ThreadSlack})";
    }

    // A socket NetMQ closes on its I/O thread, or a thread-pool thread the runtime adds on a busy machine, is not a leak.
    private const int FdSlack = 8, ThreadSlack = 8;
}
