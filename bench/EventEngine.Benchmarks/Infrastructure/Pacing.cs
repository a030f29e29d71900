using System.Diagnostics;
using System.Runtime.InteropServices;
using HdrHistogram;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// Publishes at a fixed offered load from a dedicated thread, and records latencies from each event's <b>intended</b>
/// send time (its due time at that rate), so a stall anywhere, the pacer's included, counts against every event it
/// delayed (no coordinated omission), in an HdrHistogram.
/// </summary>
public static class Pacing
{
    /// <summary>The percentiles every latency curve is drawn through.</summary>
    public static readonly double[] CurvePercentiles = [50, 90, 99, 99.9, 99.99];

    private const long MaxMicros = 60_000_000; // a minute: anything later is a lost event

    /// <summary>
    /// Calls <paramref name="publish"/> for 0..<paramref name="total"/>-1 at <paramref name="rate"/> per second with each
    /// event's intended send time (a Stopwatch timestamp), on a dedicated thread that publishes every event that fell
    /// due, then sleeps until the next one is due (<c>usleep</c>, tens of microseconds; a spinning pacer would take one
    /// of the machine's two cores away from the system under test, a 1 ms sleep would make every event late).
    /// </summary>
    public static Task Run(int total, double rate, Action<int, long> publish, string name = "pacer")
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
                    var now = Stopwatch.GetTimestamp();
                    var due = Math.Min(total, (long)((now - start) / ticksPerEvent) + 1);
                    while (i < due)
                    {
                        publish(i, start + (long)(i * ticksPerEvent));
                        i++;
                    }
                    if (i < total) Sleep(start + (long)(i * ticksPerEvent) - Stopwatch.GetTimestamp());
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

    private static void Sleep(long ticks)
    {
        if (ticks <= 0) return;
        var micros = Math.Min(1000, ticks * 1_000_000 / Stopwatch.Frequency);
        if (OperatingSystem.IsLinux()) usleep((uint)Math.Max(1, micros));
        else Thread.Sleep(1);
    }

    [DllImport("libc")]
    private static extern int usleep(uint microseconds);

    /// <summary>Nanoseconds on CLOCK_MONOTONIC (what Python's time.monotonic_ns reads), from a Stopwatch timestamp.</summary>
    public static long MonotonicNanos(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? timestamp : (long)(timestamp * (1e9 / Stopwatch.Frequency));

    /// <summary>An HdrHistogram of latencies in microseconds, 3 significant digits, up to a minute.</summary>
    public static LongHistogram NewHistogram() => new(1, MaxMicros, 3);

    /// <summary>The latencies (Stopwatch ticks) after the first <paramref name="skip"/> (warm-up), in a histogram.</summary>
    public static LongHistogram FromTicks(long[] ticks, int skip)
    {
        var histogram = NewHistogram();
        foreach (var t in ticks.Skip(skip)) histogram.RecordValue(Math.Clamp(t * 1_000_000 / Stopwatch.Frequency, 0, MaxMicros));
        return histogram;
    }

    /// <summary>The latencies (nanoseconds, one per line, in sequence order) after the first <paramref name="skip"/>, in a histogram.</summary>
    public static LongHistogram FromNanosFile(string path, int skip)
    {
        var histogram = NewHistogram();
        foreach (var line in File.ReadLines(path).Skip(skip))
            histogram.RecordValue(Math.Clamp(long.Parse(line) / 1000, 0, MaxMicros));
        return histogram;
    }

    /// <summary>A percentile of a histogram, in microseconds.</summary>
    public static double Percentile(HistogramBase histogram, double p) =>
        histogram.TotalCount == 0 ? double.NaN : histogram.GetValueAtPercentile(p);
}
