using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class FlowControlTests : Akka.TestKit.Xunit2.TestKit
{
    private const int HighWaterMark = 1000;

    public FlowControlTests() : base(TestConfig.Engine($$"""
        event-engine.flow-control { high-water-mark = {{HighWaterMark}}, low-water-mark = 500 }
        """)) { }

    internal sealed class FastProducer : EventPlugin
    {
        private readonly int _count;

        public FastProducer(int count) => _count = count;

        protected override async Task OnStartAsync()
        {
            for (var i = 0; i < _count; i++) await PublishAsync(new Ping(i));
            Finish();
        }
    }

    // The chain producer -> relay -> slow sink, also run by CreditReturnsTests with a window smaller than a batch.

    /// <summary>Forwards each event after relaying it: the chain producer -> relay -> slow sink.</summary>
    internal sealed class Relay : EventPlugin
    {
        public Relay() => Subscribe<Ping>(p => Publish(new Relayed(p.N)));
    }

    /// <summary>A slow consumer: burns CPU per event (never blocks a thread on purpose) and checks order.</summary>
    internal sealed class SlowSink : EventPlugin
    {
        public SlowSink(int count, TaskCompletionSource<int> done)
        {
            var expected = 0;
            Subscribe<Relayed>(r =>
            {
                if (r.N != expected) done.TrySetException(new Exception($"expected event {expected}, got {r.N}"));
                expected++;
                Thread.SpinWait(200);
                if (expected == count) done.TrySetResult(expected);
            });
        }
    }

    public sealed record Relayed(int N);

    [Fact]
    public async Task A_fast_producer_through_a_relay_to_a_slow_consumer_loses_nothing_and_stays_within_its_window()
    {
        const int count = 200_000;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<FastProducer>("producer", count)
            .AddPlugin<Relay>("relay")
            .AddPlugin<SlowSink>("sink", count, done));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var maxInFlight = await WindowWatch.MaxInFlightUntil(Sys, engine, "producer", done.Task, TimeSpan.FromSeconds(120),
            $"the sink to see all {count} events in order");
        Assert.Equal(count, await done.Task);
        // Every delivery caused by the producer (to the relay, and the relay's to the sink) counts in its window.
        Assert.InRange(maxInFlight, 1, HighWaterMark + 2);
    }
}
