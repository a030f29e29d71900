using EventEngine.Actors.Plugins;

namespace EventEngine.Samples.LoadTest;

/// <summary>Sums the operator's lengths; reports the result once it has seen the plan's number of events.</summary>
public sealed class Accumulator : EventPlugin
{
    private long _count;
    private long _sum;

    public Accumulator(LoadTestPlan plan, TaskCompletionSource<LoadTestResult> result)
    {
        Subscribe<OperatorMessage>(m =>
        {
            _sum += m.Length;
            if (++_count < plan.Messages) return;
            Log.Info("Total messages read by accumulator: {0}", _count);
            Log.Info("Total count for entire program: {0}", _sum);
            result.TrySetResult(new LoadTestResult(_count, _sum));
            Finish();
        });
    }
}
