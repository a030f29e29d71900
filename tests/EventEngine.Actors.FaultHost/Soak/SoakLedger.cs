using System.Globalization;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>How many numbers and their sum: what a source published, or what arrived at the end of a path.</summary>
public sealed class Tally
{
    private long _count;
    private long _sum;

    public long Count => Interlocked.Read(ref _count);

    public long Sum => Interlocked.Read(ref _sum);

    public void Add(long n)
    {
        Interlocked.Add(ref _sum, n);
        Interlocked.Increment(ref _count);
    }
}

/// <summary>
/// Arrivals of the numbers 0, 1, 2, ... of one source at the end of one path, in constant memory: a number below the
/// next expected one is a repeat (allowed: external plugins get at-least-once across a restart); one above it leaves
/// a gap (lost). Only handled by one actor at a time; read by the soak at the end.
/// </summary>
public sealed class SequenceCheck
{
    private long _next;
    private long _repeats;

    public Tally Distinct { get; } = new();

    public long Repeats => Interlocked.Read(ref _repeats);

    public void Arrived(long n)
    {
        if (n < _next)
        {
            Interlocked.Increment(ref _repeats);
            return;
        }
        Distinct.Add(n);
        _next = n + 1;
    }
}

/// <summary>A loss-free path of the soak: what its source published and what arrived at its end.</summary>
/// <param name="Name">Source, hops and end.</param>
/// <param name="Published">The source's count and sum (complete once the source stopped).</param>
/// <param name="Received">Distinct events that arrived and their sum.</param>
/// <param name="Repeats">Arrivals of an event already counted (at-least-once).</param>
public sealed record SoakPath(string Name, Func<(long Count, long Sum)> Published, Tally Received, Func<long> Repeats)
{
    public long Lost => Math.Max(0, Published().Count - Received.Count);

    public bool Complete => Received.Count >= Published().Count;

    public bool SumsAgree => Received.Sum == Published().Sum;

    public override string ToString()
    {
        var (count, sum) = Published();
        return string.Create(CultureInfo.InvariantCulture,
            $"path {Name}: published={count} sum={sum} received={Received.Count} sum={Received.Sum} repeats={Repeats()} lost={Lost}{(SumsAgree ? "" : " SUMS DIFFER")}");
    }
}

/// <summary>Everything the soak's plugins count, shared with the program that checks it.</summary>
public sealed class SoakLedger
{
    /// <summary>The original example's five TypeA texts ("This is message 0".."4") and so Counter's TypeB counts: 17 each.</summary>
    private const long ExampleCount = 5, ExampleSum = 5 * 17;

    public SourceTally SeqSource { get; } = new();

    public SourceTally TickSource { get; } = new();

    public SequenceCheck Seq { get; } = new();

    public SequenceCheck KillEcho { get; } = new();

    public SequenceCheck SlowEcho { get; } = new();

    public SequenceCheck Burst { get; } = new();

    public Tally ExampleCounts { get; } = new();

    public TaskCompletionSource<long> BurstsDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<SoakPath> Paths() =>
    [
        new("SeqSource->Checker", SeqSource.Published, Seq.Distinct, () => Seq.Repeats),
        new("SeqSource->PyKilled->Checker", SeqSource.Published, KillEcho.Distinct, () => KillEcho.Repeats),
        new("TickSource->PySlow->Checker", TickSource.Published, SlowEcho.Distinct, () => SlowEcho.Repeats),
        new("PyBurst->Checker", () => BurstsDone.Task.IsCompleted ? (BurstsDone.Task.Result, BurstsDone.Task.Result * (BurstsDone.Task.Result - 1) / 2) : (long.MaxValue, 0),
            Burst.Distinct, () => Burst.Repeats),
        new("MsgProducer->Counter->Checker", () => (ExampleCount, ExampleSum), ExampleCounts, () => 0),
    ];
}

/// <summary>What a paced source published; it stops publishing when told to.</summary>
public sealed class SourceTally
{
    private readonly CancellationTokenSource _stop = new();

    public Tally Tally { get; } = new();

    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationToken Stopping => _stop.Token;

    public void Stop() => _stop.Cancel();

    /// <summary>Count and sum; final once <see cref="Stopped"/> completed.</summary>
    public (long Count, long Sum) Published() => (Tally.Count, Tally.Sum);
}
