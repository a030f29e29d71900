using EventEngine.Actors;

namespace EventEngine.Samples.LoadTest;

/// <summary>Registers the load test's three plugins.</summary>
public static class LoadTestPlugins
{
    /// <summary>Adds Producer, Operator and Accumulator for <paramref name="plan"/>; the accumulator reports to <paramref name="result"/>.</summary>
    public static EventEngineBuilder AddLoadTest(this EventEngineBuilder engine, LoadTestPlan plan, TaskCompletionSource<LoadTestResult> result) =>
        engine.AddPlugin<Producer>(args: plan)
            .AddPlugin<Operator>(args: plan)
            .AddPlugin<Accumulator>(args: [plan, result]);
}
