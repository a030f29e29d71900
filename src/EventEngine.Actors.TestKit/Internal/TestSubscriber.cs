using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// The test's participant in the engine: subscribed to everything (the empty prefix) through the bridge, it records
/// what the plugins publish (leaving out what the test injected), returns every credit at once, holds the start-up
/// barrier until the test releases it, and watches the plugins so the test sees them stop.
/// </summary>
internal sealed class TestSubscriber : ReceiveActor
{
    private readonly Harness _harness;
    private readonly Dictionary<IActorRef, string> _watched = new();
    private bool _subscribed;
    private bool _released;
    private bool _reported;

    public TestSubscriber(Harness harness)
    {
        _harness = harness;

        Receive<Delivery>(delivery =>
        {
            try
            {
                // A PoisonEvent is the engine's report of a failure (seen in the plugin's restarts and poison count), not
                // something the plugin published.
                if (delivery.Event is not Events.PoisonEvent && !harness.Injections.TryConsume(delivery)) harness.Record(delivery);
            }
            finally
            {
                delivery.Settle();
            }
        });
        Receive<SubscriptionsActive>(_ =>
        {
            if (_subscribed) return;
            _subscribed = true;
            harness.OnSubscribed();
            ReportWhenReady();
        });
        Receive<Release>(_ =>
        {
            _released = true;
            ReportWhenReady();
        });
        Receive<Flush>(f => f.Done.TrySetResult());
        Receive<Watch>(w =>
        {
            if (_watched.TryAdd(w.Plugin, w.Name)) Context.Watch(w.Plugin);
        });
        Receive<Terminated>(t =>
        {
            if (_watched.Remove(t.ActorRef, out var name)) harness.OnTerminated(name);
        });
    }

    protected override void PreStart() =>
        _harness.Engine.Bridge.Tell(new Subscribe(Self, [Array.Empty<byte>()]), Self);

    // The test's participant is ready once its subscription is active and the test released the barrier; it has
    // nothing to finish, so it says so at once (the engine completes when the plugins have finished).
    private void ReportWhenReady()
    {
        if (_reported || !_subscribed || !_released) return;
        _reported = true;
        _harness.Engine.Supervisor.Tell(new ParticipantReady(Harness.ParticipantName));
        _harness.Engine.Supervisor.Tell(new ParticipantFinished(Harness.ParticipantName));
    }

    public sealed class Release
    {
        public static readonly Release Instance = new();
    }

    public sealed record Watch(IActorRef Plugin, string Name);

    public sealed record Flush(TaskCompletionSource Done);
}
