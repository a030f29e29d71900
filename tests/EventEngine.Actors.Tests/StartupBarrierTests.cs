using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class StartupBarrierTests
{
    /// <summary>Publishes its first event from its start hook, the moment the barrier opens.</summary>
    private sealed class EagerProducer : EventPlugin
    {
        protected override void OnStart() => Publish(new Ping(1, "first"));
    }

    /// <summary>Reports the first event; it is slow to construct, to give the race a chance.</summary>
    private sealed class SlowSubscriber : EventPlugin
    {
        public SlowSubscriber(TaskCompletionSource<Ping> seen, int delayMs)
        {
            Thread.SpinWait(delayMs * 1000);
            Subscribe<Ping>(p => seen.TrySetResult(p));
        }
    }

    [Fact]
    public async Task Two_hundred_starts_with_an_event_published_from_the_start_hook_miss_nothing()
    {
        var misses = 0;
        for (var run = 0; run < 200; run++)
        {
            // Every 20th run with the TCP wire too, the rest in memory only (faster; the barrier is the same).
            var wire = run % 20 == 0 ? "on" : "off";
            using var system = ActorSystem.Create($"barrier-{run}", TestConfig.Engine($"akka.loglevel = WARNING\nevent-engine.wire.enabled = {wire}"));
            var seen = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<Ping>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            EventEngine.Start(system, e =>
            {
                e.AddPlugin<EagerProducer>("producer");
                for (var i = 0; i < seen.Length; i++) e.AddPlugin<SlowSubscriber>($"subscriber-{i}", seen[i], run % 7);
            });
            var all = Task.WhenAll(seen.Select(s => s.Task));
            if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10))) != all) misses++;
            await system.Terminate();
        }
        Assert.Equal(0, misses);
    }

    [Fact]
    public async Task A_plugin_that_never_becomes_ready_delays_start_until_the_timeout_then_the_others_start()
    {
        using var system = ActorSystem.Create("barrier-timeout", TestConfig.Engine("""
            event-engine.startup { timeout = 1s, progress-interval = 200ms }
            """));
        var seen = new TaskCompletionSource<Ping>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var engine = EventEngine.Start(system, e => e
            .AddPlugin<EagerProducer>("producer")
            .AddPlugin<SlowSubscriber>("subscriber", seen, 0)
            .AddComponent(new NeverReady()));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        // Only the 1 s timeout can open a barrier that has a participant which never becomes ready.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"the barrier opened after {clock.Elapsed} while a participant was not ready");
        Assert.Equal(new Ping(1, "first"), await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await system.Terminate();
    }

    private sealed class NeverReady : IEngineComponent
    {
        public IReadOnlyCollection<string> ParticipantNames { get; } = ["never-ready"];

        public void Start(EventEngine engine) { }
    }
}
