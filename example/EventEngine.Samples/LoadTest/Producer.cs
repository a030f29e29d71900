using EventEngine.Actors.Plugins;

namespace EventEngine.Samples.LoadTest;

/// <summary>Publishes the plan's events as fast as flow control lets it, then finishes.</summary>
public sealed class Producer : EventPlugin
{
    private readonly LoadTestPlan _plan;

    public Producer(LoadTestPlan plan) => _plan = plan;

    protected override async Task OnStartAsync()
    {
        // Events are immutable, so one instance per size serves every publication of that size.
        var events = Enumerable.Range(_plan.MinSize, _plan.MaxSize - _plan.MinSize + 1)
            .Select(size => new InitialMessage(new string('X', size))).ToArray();
        for (long i = 0; i < _plan.Messages; i++)
            await PublishAsync(events[_plan.SizeAt(i) - _plan.MinSize]);
        Finish();
    }
}
