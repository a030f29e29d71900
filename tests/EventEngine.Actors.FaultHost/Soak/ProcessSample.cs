using System.Globalization;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>
/// This process's resident memory, open file descriptors and threads, from /proc. <see cref="PoolThreads"/> are the
/// runtime's thread-pool workers (named ".NET TP Worker"), which it adds and retires by itself on a busy machine;
/// every other thread (the engine's socket, launcher and dispatcher threads, NetMQ's, the runtime's own) is fixed
/// once the engine runs, so a leaked thread shows there.
/// </summary>
public sealed record ProcessSample(double RssMb, int Fds, int Threads, int PoolThreads)
{
    public static ProcessSample Take()
    {
        var rssKb = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..]
            .Trim().Split(' ')[0];
        var names = Directory.GetDirectories("/proc/self/task").Select(Name).ToList();
        return new ProcessSample(long.Parse(rssKb, CultureInfo.InvariantCulture) / 1024.0,
            Directory.GetFiles("/proc/self/fd").Length, names.Count, names.Count(n => n == ".NET TP Worker"));
    }

    public int OtherThreads => Threads - PoolThreads;

    /// <summary>What growth from <paramref name="start"/> (after warm-up) to this sample the soak tolerates.</summary>
    public IEnumerable<string> GrowthBeyondBounds(ProcessSample start)
    {
        if (RssMb > start.RssMb * 1.10 + 20) yield return $"RSS grew from {start.RssMb:F0} MB to {RssMb:F0} MB (bound: +10% +20 MB)";
        if (Fds > start.Fds + FdSlack) yield return $"open fds grew from {start.Fds} to {Fds} (bound: +{FdSlack})";
        if (OtherThreads > start.OtherThreads + OtherThreadSlack)
            yield return $"threads other than the thread pool's grew from {start.OtherThreads} to {OtherThreads} (bound: +{OtherThreadSlack})";
        if (PoolThreads > start.PoolThreads + PoolThreadSlack)
            yield return $"thread-pool workers grew from {start.PoolThreads} to {PoolThreads} (bound: +{PoolThreadSlack})";
    }

    // Fds: a plugin process's pipes between a kill and its restart, a subscriber's socket NetMQ closes on its I/O thread.
    // Other threads: the runtime starts and ends a few of its own on demand (tiered compilation). Pool: the runtime's call.
    private const int FdSlack = 8, OtherThreadSlack = 3, PoolThreadSlack = 8;

    private static string Name(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (IOException)
        {
            return ""; // the thread ended meanwhile
        }
    }
}
