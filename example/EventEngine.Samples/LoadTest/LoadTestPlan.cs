namespace EventEngine.Samples.LoadTest;

/// <summary>
/// The original load test's workload: <see cref="Messages"/> events whose payload sizes run a sawtooth
/// <see cref="MinSize"/>, <see cref="MinSize"/>+1, ..., <see cref="MaxSize"/>, then <see cref="MinSize"/> again.
/// </summary>
public sealed record LoadTestPlan(long Messages, int MinSize = 100, int MaxSize = 1000)
{
    /// <summary>The payload size of the event with index <paramref name="i"/>.</summary>
    public int SizeAt(long i) => MinSize + (int)(i % (MaxSize - MinSize + 1));

    /// <summary>The sum the accumulator must print: the sizes of all events.</summary>
    public long ExpectedSum()
    {
        long period = MaxSize - MinSize + 1;
        long full = Messages / period, rest = Messages % period;
        long periodSum = (MinSize + (long)MaxSize) * period / 2;
        return full * periodSum + rest * MinSize + rest * (rest - 1) / 2;
    }

    /// <summary>Throws when the plan cannot run.</summary>
    public LoadTestPlan Validate()
    {
        if (Messages < 1) throw new ArgumentException($"messages must be at least 1, got {Messages}");
        if (MinSize < 0 || MaxSize < MinSize) throw new ArgumentException($"need 0 <= min-size <= max-size, got {MinSize}..{MaxSize}");
        return this;
    }
}

/// <summary>What the accumulator saw.</summary>
public sealed record LoadTestResult(long Delivered, long Sum);
