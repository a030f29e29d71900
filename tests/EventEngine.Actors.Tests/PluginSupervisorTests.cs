using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Plugins;
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
}
