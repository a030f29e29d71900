namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>Summaries of repeated runs.</summary>
public static class Stats
{
    /// <summary>The middle value (of an even count, the mean of the two middle ones).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
