using System.Diagnostics;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>Publishes at a fixed offered load from a dedicated thread, and turns latencies into percentiles.</summary>
public static class Pacing
{
    /// <summary>The percentiles every latency curve is drawn through.</summary>
    public static readonly double[] CurvePercentiles = [50, 90, 99, 99.9, 99.99];

    /// <summary>
    /// Calls <paramref name="publish"/> for 0..<paramref name="total"/>-1 at <paramref name="rate"/> per second, on a
    /// dedicated thread that sleeps between 1 ms ticks and publishes every event that fell due meanwhile (a spinning
    /// pacer would take one of the machine's two cores away from the system under test).
    /// </summary>
    public static Task Run(int total, double rate, Action<int> publish, string name = "pacer")
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var ticksPerEvent = Stopwatch.Frequency / rate;
                var start = Stopwatch.GetTimestamp();
                var i = 0;
                while (i < total)
                {
                    var due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - start) / ticksPerEvent) + 1);
                    while (i < due) publish(i++);
                    if (i < total) Thread.Sleep(1);
                }
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        thread.Start();
        return done.Task;
    }

    /// <summary>Stopwatch ticks to microseconds.</summary>
    public static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Nanoseconds on CLOCK_MONOTONIC (what Python's time.monotonic_ns reads), from a Stopwatch timestamp.</summary>
    public static long MonotonicNanos(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? timestamp : (long)(timestamp * (1e9 / Stopwatch.Frequency));

    /// <summary>The latencies after the first <paramref name="skip"/> (warm-up), sorted, in microseconds.</summary>
    public static double[] Sorted(long[] ticks, int skip) => ticks.Skip(skip).Select(Micros).Order().ToArray();

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
