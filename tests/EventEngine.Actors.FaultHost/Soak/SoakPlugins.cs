using System.Diagnostics;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>Publishes 0, 1, 2, ... at <c>rate</c> per second (slower when flow control pauses it) until told to stop.</summary>
public abstract class PacedSource : EventPlugin
{
    private readonly SourceTally _tally;
    private readonly double _rate;

    protected PacedSource(SourceTally tally, double rate)
    {
        _tally = tally;
        _rate = rate;
    }

    protected abstract Task PublishNumber(long n);

    protected override async Task OnStartAsync()
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (!_tally.Stopping.IsCancellationRequested)
        {
            if (n >= (long)(clock.Elapsed.TotalSeconds * _rate))
            {
                await Task.Delay(5); // ahead of the rate
                continue;
            }
            var publishing = PublishNumber(n); // published now; the task completes when flow control lets the source go on
            _tally.Tally.Add(n++);
            await publishing;
        }
        _tally.Stopped.TrySetResult();
    }
}

public sealed class SeqSource(SourceTally tally, double rate) : PacedSource(tally, rate)
{
    protected override Task PublishNumber(long n) => PublishAsync(new Seq(n));
}

public sealed class TickSource(SourceTally tally, double rate) : PacedSource(tally, rate)
{
    protected override Task PublishNumber(long n) => PublishAsync(new Tick(n));
}

/// <summary>The end of every loss-free path: counts what arrives, per source.</summary>
public sealed class SoakChecker : EventPlugin
{
    public SoakChecker(SoakLedger ledger)
    {
        Subscribe<Seq>(e => ledger.Seq.Arrived(e.N));
        Subscribe<KillEcho>(e => ledger.KillEcho.Arrived(e.N));
        Subscribe<SlowEcho>(e => ledger.SlowEcho.Arrived(e.N));
        Subscribe<Burst>(e => ledger.Burst.Arrived(e.N));
        Subscribe<BurstsDone>(e => ledger.BurstsDone.TrySetResult(e.Count));
        Subscribe<TypeB>(e => ledger.ExampleCounts.Add(e.Count));
    }
}
