using EventEngine.Actors.Plugins;

namespace EventEngine.Samples.LoadTest;

/// <summary>Answers each <see cref="InitialMessage"/> with an <see cref="OperatorMessage"/> of its payload length.</summary>
public sealed class Operator : EventPlugin
{
    private long _seen;

    public Operator(LoadTestPlan plan)
    {
        Subscribe<InitialMessage>(m =>
        {
            Publish(new OperatorMessage(m.Payload.Length));
            if (++_seen == plan.Messages) Finish();
        });
    }
}
