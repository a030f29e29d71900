using System.Diagnostics;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class SupervisionTests : Akka.TestKit.Xunit2.TestKit
{
    public SupervisionTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 1000, within = 1m }
        """)) { }

    /// <summary>Throws on every event whose number is a multiple of <c>every</c>; reports the others and its restarts.</summary>
    private sealed class Flaky : EventPlugin
    {
        private readonly IActorRef _probe;

        public Flaky(IActorRef probe, int every)
        {
            _probe = probe;
            Subscribe<Ping>(p =>
            {
                if (p.N % every == 0) throw new InvalidOperationException($"poison {p.N}");
                probe.Tell(p.N);
            });
        }

        protected override void PostRestart(Exception reason)
        {
            base.PostRestart(reason);
            _probe.Tell("restarted");
        }
    }

    private sealed class Burst : EventPlugin
    {
        private readonly int _count;

        public Burst(int count) => _count = count;

        protected override async Task OnStartAsync()
        {
            for (var i = 1; i <= _count; i++) await PublishAsync(new Ping(i));
        }
    }

    [Fact]
    public void A_throwing_plugin_is_restarted_keeps_its_mailbox_and_only_the_poison_events_are_dropped()
    {
        var probe = CreateTestProbe();
        using var metrics = new MetricsRecorder(); // before the start: the burst starts with it
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<Flaky>("flaky", probe.Ref, 100)
            .AddPlugin<Burst>("burst", 1000));
        metrics.Watch(engine);
        var handled = new List<int>();
        var restarts = 0;
        probe.ReceiveWhile(TimeSpan.FromSeconds(20), m =>
        {
            if (m is int n) handled.Add(n);
            else restarts++;
            return m;
        }, msgs: 1000);
        Assert.Equal(Enumerable.Range(1, 1000).Where(n => n % 100 != 0), handled);
        Assert.Equal(10, restarts);
        AwaitAssert(() =>
        {
            Assert.Equal(10, metrics.Sum("event_engine.plugin.restarts", "plugin", "flaky"));
            Assert.Equal(10, metrics.Sum("event_engine.events.poison", "plugin", "flaky"));
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_poison_event_is_logged_with_the_plugin_and_event_type()
    {
        var probe = CreateTestProbe();
        EventFilter.Error(contains: "Plugin flaky failed handling a Ping event").ExpectOne(TimeSpan.FromSeconds(20), () =>
        {
            EventEngine.Start(Sys, e => e.AddPlugin<Flaky>("flaky", probe.Ref, 2).AddPlugin<Burst>("burst", 2));
            probe.ExpectMsg(1);
            probe.ExpectMsg("restarted");
        });
    }
}

public class RestartLimitTests : Akka.TestKit.Xunit2.TestKit
{
    public RestartLimitTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 2, within = 1m }
        """)) { }

    private sealed class AlwaysFails : EventPlugin
    {
        public AlwaysFails() => Subscribe<Ping>(_ => throw new InvalidOperationException("always"));
    }

    [Fact]
    public async Task Past_its_restart_limit_a_plugin_is_stopped_with_a_clear_log_line_and_the_rest_goes_on()
    {
        var healthy = CreateTestProbe();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<AlwaysFails>("doomed")
            .AddPlugin<Recorder>("healthy", healthy.Ref, new[] { typeof(Ping) }, null!));
        using var metrics = new MetricsRecorder(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await EventFilter.Error(contains: "Plugin doomed was stopped").ExpectOneAsync(TimeSpan.FromSeconds(20), () =>
        {
            for (var i = 0; i < 3; i++) engine.Publish(new Ping(i));
            return Task.CompletedTask;
        });
        for (var i = 0; i < 3; i++) healthy.ExpectMsg(new Ping(i));
        engine.Publish(new Ping(99));
        healthy.ExpectMsg(new Ping(99));
        Assert.Equal(1, metrics.Sum("event_engine.plugin.stops", "plugin", "doomed"));
        Assert.False(Sys.WhenTerminated.IsCompleted);
    }
}

public class RestartLimitShutdownTests : Akka.TestKit.Xunit2.TestKit
{
    public RestartLimitShutdownTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 0, within = 1m, on-restart-limit = shutdown }
        """)) { }

    private sealed class FailsOnce : EventPlugin
    {
        public FailsOnce() => Subscribe<Ping>(_ => throw new InvalidOperationException("boom"));
    }

    [Fact]
    public async Task With_the_shutdown_policy_the_engine_shuts_down_cleanly()
    {
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<FailsOnce>("fragile"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        engine.Publish(new Ping(1));
        await Sys.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        var reason = Assert.IsType<Supervision.PluginFailedReason>(Akka.Actor.CoordinatedShutdown.Get(Sys).ShutdownReason);
        Assert.Equal("fragile", reason.Plugin);
        Assert.Equal("plugin fragile exceeded its restart limit", reason.ToString());
        Assert.Equal(1, reason.ExitCode);
    }
}

public class RestartPauseTests : Akka.TestKit.Xunit2.TestKit
{
    public RestartPauseTests() : base(TestConfig.Engine("""
        event-engine.supervision { restart-pause = 300ms }
        """)) { }

    /// <summary>Throws on Ping 0; tells the probe each other Ping with the time it was handled, and when it threw.</summary>
    private sealed class FailsOnFirst : EventPlugin
    {
        public FailsOnFirst(IActorRef probe) => Subscribe<Ping>(p =>
        {
            if (p.N == 0)
            {
                probe.Tell(("failed", Stopwatch.GetTimestamp()));
                throw new InvalidOperationException("first");
            }
            probe.Tell((p.N, Stopwatch.GetTimestamp()));
        });
    }

    [Fact]
    public async Task A_restart_pause_delays_the_next_event_which_is_stashed_not_dropped()
    {
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<FailsOnFirst>("paused", TestActor));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 50; i++) engine.Publish(new Ping(i));
        var (_, failedAt) = ExpectMsg<(string, long)>(TimeSpan.FromSeconds(10));
        var (first, resumedAt) = ExpectMsg<(int, long)>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, first);
        // restart-pause = 300ms: the plugin handled nothing in between (the scheduler never fires early)
        Assert.InRange(Stopwatch.GetElapsedTime(failedAt, resumedAt), TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(10));
        for (var i = 2; i < 50; i++) Assert.Equal(i, ExpectMsg<(int, long)>(TimeSpan.FromSeconds(10)).Item1);
    }
}
