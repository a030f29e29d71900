using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// Credits a subscriber returns in batches: on their own (when a batch goes back), and in an engine whose window is
/// smaller than a batch, where only the return before a plugin goes idle can wake the paused producer.
/// </summary>
public class CreditReturnsTests : Akka.TestKit.Xunit2.TestKit
{
    private const int HighWaterMark = 8;

    public CreditReturnsTests() : base(TestConfig.Engine($$"""
        event-engine.flow-control { high-water-mark = {{HighWaterMark}}, low-water-mark = 2 }
        """)) { }

    [Fact]
    public void Held_credits_go_back_when_a_batch_is_full_when_another_window_comes_and_when_asked()
    {
        var first = new CreditWindow("first", 1000, 10);
        var second = new CreditWindow("second", 1000, 10);
        first.Take(CreditReturns.BatchSize + 5);
        second.Take(1);
        var returns = new CreditReturns();

        for (var i = 0; i < CreditReturns.BatchSize - 1; i++) returns.Add(first);
        Assert.Equal(CreditReturns.BatchSize + 5, first.InFlight); // held: still counted in flight
        Assert.True(returns.Holding);
        returns.Add(first); // a full batch goes back
        Assert.Equal(5, first.InFlight);
        Assert.False(returns.Holding);

        returns.Add(first);
        returns.Add(second); // another window: the first one's credits go back first
        Assert.Equal(4, first.InFlight);
        Assert.Equal(1, second.InFlight);

        returns.ReturnAll();
        Assert.Equal(0, second.InFlight);
        Assert.False(returns.Holding);
        returns.ReturnAll(); // nothing held: nothing returned twice
        Assert.Equal(0, second.InFlight);
    }

    [Fact]
    public void A_paused_source_is_woken_by_the_held_credits_it_waits_for()
    {
        var window = new CreditWindow("producer", highWaterMark: 4, lowWaterMark: 1);
        window.Take(4);
        var room = window.WhenRoom();
        var returns = new CreditReturns();
        for (var i = 0; i < 4; i++) returns.Add(window);
        Assert.False(room.IsCompleted); // held, not returned yet
        returns.ReturnAll();
        Assert.True(room.Wait(TimeSpan.FromSeconds(10)), "returning the held credits did not wake the source");
        Assert.Equal(0, window.InFlight);
    }

    [Fact]
    public async Task A_window_smaller_than_a_batch_never_stalls_its_producer_and_empties_at_the_end()
    {
        const int count = 20_000;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<FlowControlTests.FastProducer>("producer", count)
            .AddPlugin<FlowControlTests.Relay>("relay")
            .AddPlugin<FlowControlTests.SlowSink>("sink", count, done));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var maxInFlight = await WindowWatch.MaxInFlightUntil(Sys, engine, "producer", done.Task, TimeSpan.FromSeconds(60),
            $"the sink to see all {count} events");
        Assert.Equal(count, await done.Task);
        // Held credits count in flight: the window bounds memory as before.
        Assert.InRange(maxInFlight, 0, HighWaterMark + 2);
    }

    /// <summary>Relays each event from its handler and once more from the thread pool, racing its own handling.</summary>
    private sealed class OffThreadRelay : EventPlugin
    {
        public OffThreadRelay() => Subscribe<Ping>(p =>
        {
            Publish(new FlowControlTests.Relayed(p.N));
            _ = Task.Run(() => Publish(new OffThread(p.N)));
        });
    }

    private sealed record OffThread(int N);

    private sealed class Counter : EventPlugin
    {
        public Counter(int count, TaskCompletionSource<int> done)
        {
            var (relayed, offThread) = (0, 0);
            void Check()
            {
                if (relayed == count && offThread == count) done.TrySetResult(relayed + offThread);
            }
            Subscribe<FlowControlTests.Relayed>(_ => { relayed++; Check(); });
            Subscribe<OffThread>(_ => { offThread++; Check(); });
        }
    }

    [Fact]
    public async Task Publications_from_another_thread_do_not_touch_the_credits_a_plugin_holds()
    {
        const int count = 20_000;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<FlowControlTests.FastProducer>("producer", count)
            .AddPlugin<OffThreadRelay>("relay")
            .AddPlugin<Counter>("counter", count, done));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        // Both kinds of publication count against the producer's window; a race on the relay's held credits would
        // leave it off (never empty, or the producer paused for good).
        await WindowWatch.MaxInFlightUntil(Sys, engine, "producer", done.Task, TimeSpan.FromSeconds(60),
            $"the counter to see {count} relayed and {count} off-thread events");
        Assert.Equal(2 * count, await done.Task);
    }
}
