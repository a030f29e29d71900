using Akka.Event;
using EventEngine.Actors.FaultTests.Support;

namespace EventEngine.Actors.FaultTests;

/// <summary>Plugins that throw: restarted, the poison event dropped and counted, everything else delivered.</summary>
public sealed class SupervisionFaultTests
{
    private const int Events = 100_000;

    [Fact]
    public async Task A_plugin_throwing_on_every_1000th_of_100000_events_handles_all_others_and_the_rest_of_the_engine_is_undisturbed()
    {
        var handled = new Received<long>();
        var restarts = new Received<long>();
        var bystander = new Received<long>();
        await using var t = TestEngine.Start(e => e
                .AddPlugin<Flaky>("Flaky", handled, restarts, 1000L)
                .AddPlugin<PingCollector>("Bystander", bystander)
                .AddExternalPlugin("Outside", 0, ["Ping"])
                .AddPlugin<Burst>("Burst", (long)Events),
            "event-engine.supervision { max-restarts = 200, within = 1m }");

        // A registered external plugin reads every event over its socket meanwhile (its first request opens the barrier).
        using var outside = t.Peer("Outside");
        var overTheWire = outside.Take(Events, batch: 5000, timeout: TimeSpan.FromSeconds(120));
        await Wait.Until(() => handled.Count == Events - 100 && bystander.Count == Events,
            () => $"Flaky to handle {Events - 100} (has {handled.Count}) and Bystander {Events} (has {bystander.Count})");

        var expected = Enumerable.Range(1, Events).Select(i => (long)i).ToList();
        Assert.Equal(expected.Where(n => n % 1000 != 0), handled.Items); // every other event, in order
        Assert.Equal(expected, bystander.Items);
        Assert.Equal(expected.Select(n => $"Ping{n}"), overTheWire);
        outside.ExpectNothingMore();
        Assert.Equal(100, restarts.Count);
        await Wait.Until(() => t.Metrics.Sum("event_engine.plugin.restarts", "plugin", "Flaky") == 100, () => "100 restarts counted: " + t.Metrics.Describe("event_engine.plugin.restarts", "plugin"));
        Assert.Equal(100, t.Metrics.Sum("event_engine.events.poison", "plugin", "Flaky"));
        Assert.Equal(100, t.Metrics.Sum("event_engine.events.dropped", "reason", "poison"));
        Assert.Equal(100, t.Metrics.Sum("event_engine.events.dropped")); // nothing else was dropped
        Assert.Equal(0, t.Metrics.Sum("event_engine.plugin.restarts", "plugin", "Bystander"));
        Assert.Equal(0, t.Metrics.Sum("event_engine.plugin.stops"));
        Assert.Equal(Events, t.Metrics.Sum("event_engine.events.published", "event_type", "Ping"));
        Assert.Equal(3L * Events, t.Metrics.Sum("event_engine.events.delivered", "event_type", "Ping"));
        // Akka's logging is asynchronous: the last failures' lines may arrive after their counters have moved.
        const string failed = "Plugin Flaky failed handling a Ping event; the event is dropped (poison) and the plugin restarts";
        await Wait.Until(() => t.Log.Count(failed) >= 100, () => $"100 failure lines; {t.Log.Count(failed)} logged");
        Assert.Equal(100, t.Log.Count(failed));
    }

    [Fact]
    public async Task Past_its_restart_limit_a_plugin_is_stopped_with_a_clear_log_line_and_the_rest_of_the_engine_goes_on()
    {
        var healthy = new Received<long>();
        await using var t = TestEngine.Start(e => e
                .AddPlugin<AlwaysFails>("Doomed")
                .AddPlugin<PingCollector>("Healthy", healthy)
                .AddExternalPlugin("Outside", 0, ["Ping"]),
            "event-engine.supervision { max-restarts = 3, within = 1m, on-restart-limit = stop }");
        using var outside = t.Peer("Outside");
        Assert.Empty(outside.NextBatch(1, waitMs: 0)); // ready: the barrier passes
        await t.Engine.Started.WaitAsync(Wait.Long);

        for (var i = 1; i <= 1000; i++) await t.Engine.PublishAsync(new Ping(i));
        await Wait.Until(() => t.Metrics.Sum("event_engine.plugin.stops", "plugin", "Doomed") == 1, () => "Doomed stopped\n" + t.Log.Dump());
        for (var i = 1001; i <= 2000; i++) await t.Engine.PublishAsync(new Ping(i)); // after the stop: the rest goes on

        var expected = Enumerable.Range(1, 2000).Select(i => (long)i).ToList();
        Assert.Equal(expected.Select(n => $"Ping{n}"), outside.Take(2000));
        await Wait.Until(() => healthy.Count == 2000, () => $"Healthy to get 2000 (has {healthy.Count})");
        Assert.Equal(expected, healthy.Items);
        await Wait.Until(() => t.Log.Contains("Plugin Doomed was stopped: it failed more than 3 time(s) within 00:01:00 (event-engine.supervision.on-restart-limit = stop)", LogLevel.ErrorLevel), () => t.Log.Dump());
        Assert.False(t.System.WhenTerminated.IsCompleted);
        Assert.Equal(3, t.Metrics.Sum("event_engine.plugin.restarts", "plugin", "Doomed"));
        Assert.Equal(4, t.Metrics.Sum("event_engine.events.poison", "plugin", "Doomed")); // the one that failed past the limit too

        // Exact accounting: every event handed to Doomed was either its poison or dropped because it had stopped.
        await Wait.Until(() => DeliveredToDoomed(t) == Dropped(t), () =>
            $"delivered {t.Metrics.Sum("event_engine.events.delivered", "event_type", "Ping")} = 2 x 2000 + to Doomed; dropped {t.Metrics.Describe("event_engine.events.dropped", "reason")}");
        Assert.True(DeliveredToDoomed(t) >= 4);
        Assert.Equal(4, t.Metrics.Sum("event_engine.events.dropped", "reason", "poison"));
        outside.ExpectNothingMore();
    }

    private static long DeliveredToDoomed(TestEngine t) => t.Metrics.Sum("event_engine.events.delivered", "event_type", "Ping") - 2 * 2000;

    private static long Dropped(TestEngine t) =>
        t.Metrics.Sum("event_engine.events.dropped", "reason", "poison") + t.Metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped");

    [Fact]
    public async Task Past_its_restart_limit_with_the_shutdown_policy_the_engine_process_exits_cleanly_with_code_1_and_no_orphan()
    {
        // restart-limit mode: the load test at full speed, a Python plugin reading in batches, and a plugin that throws
        // on every event, with max-restarts = 2 and on-restart-limit = shutdown.
        using var engine = ChildProcess.FaultHost("restart-limit");
        var python = int.Parse((await engine.WaitForMatch(@"python pid=(\d+)")).Groups[1].Value);
        Assert.Equal(1, await engine.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains(engine.Lines, l => l.StartsWith("ERROR event-engine-plugins: Plugin Doomed was stopped: it failed more than 2 time(s) within 00:01:00 (event-engine.supervision.on-restart-limit = shutdown)", StringComparison.Ordinal));
        Assert.Contains(engine.Lines, l => l.Contains("CoordinatedShutdown invoked due to [Reason:EventEngine.Actors.Supervision.PluginFailedReason]. Exiting with [ExitCode:1]", StringComparison.Ordinal));
        Assert.Matches(@"^exit code=1 stop_ms=-?\d+ engine_threads_left=0 ", engine.Lines[^1]);
        await Wait.Until(() => !ProcInfo.IsAlive(python), $"the Python plugin {python} gone with the engine");
    }
}
