using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Supervision;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>The plugin supervisor's edges: no plugins at all, a barrier timeout's log line, a plugin that stops itself.</summary>
public class PluginSupervisorTests
{
    private sealed class Finisher : EventPlugin
    {
        protected override void OnStart() => Finish();
    }

    /// <summary>Stops its actor without calling Finish.</summary>
    private sealed class Quitter : EventPlugin
    {
        protected override void OnStart() => Context.Stop(Self);
    }

    private sealed class Idle : EventPlugin;

    private sealed class NeverReady : IEngineComponent
    {
        public IReadOnlyCollection<string> ParticipantNames { get; } = ["never-ready"];

        public void Start(EventEngine engine) { }
    }

    private static (ActorSystem System, Akka.TestKit.TestProbe Log) SystemWithLogProbe(string name, string config)
    {
        var system = ActorSystem.Create(name, TestConfig.Engine(config));
        var log = new Akka.TestKit.Xunit2.TestKit(system).CreateTestProbe();
        system.EventStream.Subscribe(log.Ref, typeof(Error));
        system.EventStream.Subscribe(log.Ref, typeof(Warning));
        return (system, log);
    }

    private static async Task<string> NextLogContaining(Akka.TestKit.TestProbe log, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var line = (await log.ExpectMsgAsync<LogEvent>(deadline - DateTime.UtcNow)).Message.ToString() ?? "";
            if (line.Contains(text)) return line;
        }
        throw new TimeoutException($"no log line containing '{text}' within 20 s");
    }

    [Fact]
    public async Task An_engine_without_plugins_starts_at_once_and_in_run_to_completion_ends_at_once()
    {
        using var system = ActorSystem.Create("no-plugins", TestConfig.Engine("event-engine.run-mode = run-to-completion"));
        var engine = EventEngine.Start(system, _ => { });
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await engine.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData(true, "starting idle without never-ready")]
    [InlineData(false, "starting nobody without never-ready")]
    public async Task A_barrier_timeout_names_who_started_without_whom(bool withPlugin, string expected)
    {
        var (system, log) = SystemWithLogProbe("barrier-names", "event-engine.startup { timeout = 500ms, progress-interval = 10s }");
        using var _ = system;
        var engine = EventEngine.Start(system, e =>
        {
            if (withPlugin) e.AddPlugin<Idle>("idle");
            e.AddComponent(new NeverReady());
        });
        var line = await NextLogContaining(log, "Start-up barrier timed out");
        Assert.Contains("never-ready not ready; " + expected, line);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_start_within_the_timeout_cancels_the_barrier_timeout()
    {
        var (system, log) = SystemWithLogProbe("barrier-cancelled", "event-engine.startup { timeout = 300ms }");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Idle>("idle"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        // The timeout would fire 300 ms after start; several times that passes without it.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        for (var left = until - DateTime.UtcNow; left > TimeSpan.Zero; left = until - DateTime.UtcNow)
            if (log.ReceiveOne(left) is LogEvent line)
                Assert.DoesNotContain("Start-up barrier timed out", line.Message.ToString());
    }

    [Fact]
    public async Task A_plugin_that_stops_itself_without_finishing_counts_as_finished_with_a_warning()
    {
        var (system, log) = SystemWithLogProbe("quitter", "event-engine.run-mode = run-to-completion");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Quitter>("quitter").AddPlugin<Finisher>("finisher"));
        var line = await NextLogContaining(log, "quitter");
        Assert.Contains("Plugin quitter stopped without saying it had finished; it counts as finished", line);
        await engine.Completion.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>A participant outside the plugins (as an external plugin is) that the test declares ready and finished.</summary>
    private sealed class Outside : IEngineComponent
    {
        public IReadOnlyCollection<string> ParticipantNames { get; } = ["outside"];

        public void Start(EventEngine engine) { }
    }

    private sealed class Broken : EventPlugin
    {
        public Broken() => throw new InvalidOperationException("cannot be built");
    }

    /// <summary>Says each time it is created; throws on every Ping.</summary>
    private sealed class FailsOnPing : EventPlugin
    {
        public FailsOnPing(IActorRef probe)
        {
            probe.Tell("created");
            Subscribe<Ping>(_ => throw new InvalidOperationException("ping"));
        }
    }

    private static (ActorSystem System, Akka.TestKit.TestProbe Log) SystemWithInfoLogProbe(string name, string config)
    {
        var (system, log) = SystemWithLogProbe(name, config);
        system.EventStream.Subscribe(log.Ref, typeof(Info));
        return (system, log);
    }

    /// <summary>The log lines already published (and any within a short quiet period) that contain <paramref name="text"/>.</summary>
    private static List<string> LogLinesSoFar(Akka.TestKit.TestProbe log, string text) =>
        log.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => (m as LogEvent)?.Message.ToString() ?? "", msgs: 10_000)
            .Where(line => line.Contains(text)).ToList();

    [Fact]
    public async Task A_plugin_that_finishes_is_logged_as_finished_once_and_not_as_stopped_without_finishing()
    {
        var (system, log) = SystemWithInfoLogProbe("finisher", "event-engine.run-mode = run-to-completion");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Finisher>("finisher"));
        await engine.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["Plugin finisher finished"], LogLinesSoFar(log, "Plugin finisher"));
    }

    [Fact]
    public async Task An_outside_participant_holds_the_start_until_it_is_ready_and_the_completion_until_it_finishes()
    {
        var (system, log) = SystemWithInfoLogProbe("outside", "event-engine { run-mode = run-to-completion, startup.timeout = 60s }");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Finisher>("finisher").AddComponent(new Outside()));
        await engine.PluginsCreated.WaitAsync(TimeSpan.FromSeconds(20)); // every plugin is ready: external plugins may subscribe by type
        Assert.False(engine.LocalParticipantsReady.IsCompleted);
        Assert.False(engine.Started.IsCompleted);

        engine.Supervisor.Tell(new ParticipantReady("outside"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(engine.LocalParticipantsReady.IsCompleted);
        await NextLogContaining(log, "Plugin finisher finished");
        Assert.False(engine.Completion.IsCompleted); // the outside participant runs on

        engine.Supervisor.Tell(new ParticipantFinished("outside"));
        await engine.Completion.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task While_the_barrier_waits_it_logs_for_whom_and_after_its_timeout_a_late_participant_does_not_start_the_engine_again()
    {
        var (system, log) = SystemWithInfoLogProbe("progress", "event-engine.startup { timeout = 2s, progress-interval = 200ms }");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Idle>("idle").AddComponent(new NeverReady()));
        Assert.Contains("Start-up barrier: waiting for never-ready", await NextLogContaining(log, "Start-up barrier: waiting"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20)); // by the timeout
        await engine.LocalParticipantsReady.WaitAsync(TimeSpan.FromSeconds(20)); // late participants go on with what is ready
        engine.Supervisor.Tell(new ParticipantReady("never-ready"));
        engine.Supervisor.Tell(new ParticipantFinished("never-ready"));
        await NextLogContaining(log, "Plugin never-ready finished"); // the supervisor has handled both
        Assert.Empty(LogLinesSoFar(log, "ready; started"));
    }

    [Fact]
    public async Task A_plugin_that_cannot_be_created_is_stopped_once_and_the_others_start_without_waiting_for_the_barrier_timeout()
    {
        var (system, log) = SystemWithLogProbe("broken", "event-engine.startup.timeout = 60s");
        using var _ = system;
        var engine = EventEngine.Start(system, e => e.AddPlugin<Broken>("broken").AddPlugin<Idle>("idle"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["Plugin broken was stopped: it could not be created"], LogLinesSoFar(log, "Plugin broken"));
    }

    [Fact]
    public async Task A_failure_is_logged_once_by_the_plugin_with_its_event_not_again_by_the_supervisor()
    {
        var (system, log) = SystemWithLogProbe("failure-log", "");
        using var _ = system;
        var probe = new Akka.TestKit.Xunit2.TestKit(system).CreateTestProbe();
        var engine = EventEngine.Start(system, e => e.AddPlugin<FailsOnPing>("fails", probe.Ref));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        await probe.ExpectMsgAsync("created", TimeSpan.FromSeconds(20));
        engine.Publish(new Ping(1));
        await probe.ExpectMsgAsync("created", TimeSpan.FromSeconds(20)); // restarted: the supervisor has handled the failure
        var errors = log.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => m, msgs: 10_000).OfType<Error>().ToList();
        Assert.Equal("Plugin fails failed handling a Ping event", Assert.Single(errors).Message.ToString()?[..41]);
    }
}
