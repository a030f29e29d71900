using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;
using EventEngine.Samples.LoadTest;
using Xunit;

namespace EventEngine.Actors.Tests;

public class LifecycleTests
{
    private static void AddOriginalExample(EventEngineBuilder engine) =>
        engine.AddExamplePlugins().AddPlugin<Goodbye>("PyPlugin");

    [Fact]
    public async Task Run_to_completion_ends_the_actor_system_when_every_plugin_has_finished()
    {
        var system = ActorSystem.Create("complete", TestConfig.Engine("event-engine.run-mode = run-to-completion"));
        var engine = EventEngine.Start(system, AddOriginalExample);
        await engine.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<AllPluginsFinishedReason>(CoordinatedShutdown.Get(system).ShutdownReason);
    }

    [Fact]
    public async Task Two_engines_run_side_by_side_in_one_process()
    {
        var systems = Enumerable.Range(0, 2)
            .Select(i => ActorSystem.Create($"side-by-side-{i}", TestConfig.Engine("event-engine.run-mode = run-to-completion")))
            .ToArray();
        var engines = systems.Select(s => EventEngine.Start(s, AddOriginalExample)).ToArray();
        Assert.NotEqual(engines[0].PublishPort, engines[1].PublishPort);
        Assert.NotEqual(engines[0].Name, engines[1].Name);
        await Task.WhenAll(systems.Select(s => s.WhenTerminated)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(engines, e => Assert.True(e.Completion.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task A_port_in_use_gives_an_error_that_names_the_port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var system = ActorSystem.Create("port-in-use", TestConfig.Engine($"event-engine.wire.subscribe-port = {port}"));
        var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, _ => { }));
        Assert.Contains($"subscribe-port tcp://127.0.0.1:{port}", error.Message);
        Assert.Contains("already in use", error.Message);
        // The failed start left nothing behind: once the port is free, the same system hosts an engine on it.
        listener.Stop();
        var engine = EventEngine.Start(system, _ => { });
        Assert.Equal(port, engine.SubscribePort);
        await system.Terminate();
    }

    [Fact]
    public async Task A_start_that_fails_while_its_wire_binds_releases_the_ports()
    {
        // The wire binds beside the rest of the start: a configuration error found meanwhile must still leave nothing bound.
        var (publishPort, subscribePort) = (FreePort(), FreePort());
        var ports = $"event-engine.wire {{ publish-port = {publishPort}, subscribe-port = {subscribePort} }}";
        using (var failing = ActorSystem.Create("bad-plugin", TestConfig.Engine($"{ports}\nevent-engine.plugins.ghost.type = \"No.Such.Plugin\"")))
        {
            var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(failing, _ => { }));
            Assert.Contains("event-engine.plugins.ghost.type", error.Message);
            await failing.Terminate();
        }
        using var system = ActorSystem.Create("same-ports", TestConfig.Engine(ports));
        var engine = EventEngine.Start(system, _ => { });
        Assert.Equal((publishPort, subscribePort), (engine.PublishPort, engine.SubscribePort));
        await system.Terminate();
    }

    [Fact]
    public async Task Shutdown_under_load_is_orderly_and_releases_the_ports()
    {
        var system = ActorSystem.Create("shutdown", TestConfig.Engine());
        var done = new TaskCompletionSource<LoadTestResult>();
        var engine = EventEngine.Start(system, e => e.AddLoadTest(new LoadTestPlan(long.MaxValue), done));
        var (publishPort, subscribePort) = (engine.PublishPort, engine.SubscribePort);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        // Pull the plug only once events flow through the whole pipeline (the recorder stops before the shutdown).
        using (var metrics = new MetricsRecorder(engine))
        {
            var flowing = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (metrics.Sum("event_engine.events.delivered", "event_type", "OperatorMsg") < 10_000)
            {
                Assert.True(DateTime.UtcNow < flowing, "the load test's events did not reach the accumulator");
                await Task.Delay(10);
            }
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20)); // loose bound; the exact figure is measured in docs
        // NetMQ closes sockets on its own I/O thread: the ports come free shortly after the sockets are disposed.
        foreach (var port in new[] { publishPort, subscribePort })
            Assert.True(await CanBindWithin(port, TimeSpan.FromSeconds(15)), $"port {port} was not released");
        Assert.False(done.Task.IsCompleted);
    }

    internal static async Task<bool> CanBindWithin(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return true;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task A_start_whose_builder_throws_leaves_the_system_and_the_ports_free()
    {
        // The wire and the engine's first actor are made while the builder's code runs: its exception must undo both.
        var (publishPort, subscribePort) = (FreePort(), FreePort());
        using var system = ActorSystem.Create("builder-throws",
            TestConfig.Engine($"event-engine.wire {{ publish-port = {publishPort}, subscribe-port = {subscribePort} }}"));
        var error = Assert.Throws<InvalidOperationException>(() => EventEngine.Start(system, _ => throw new InvalidOperationException("no plugins today")));
        Assert.Equal("no plugins today", error.Message);
        var engine = EventEngine.Start(system, engine => engine.AddPlugin<Goodbye>("PyPlugin"));
        Assert.Equal((publishPort, subscribePort), (engine.PublishPort, engine.SubscribePort));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await system.Terminate();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_second_engine_in_the_same_actor_system_is_refused()
    {
        using var system = ActorSystem.Create("twice", TestConfig.Engine("event-engine.wire.enabled = off"));
        EventEngine.Start(system, _ => { });
        var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, _ => { }));
        Assert.Contains("already hosts an event engine", error.Message);
        await system.Terminate();
    }

    [Fact]
    public void Bad_settings_are_reported_with_their_path()
    {
        using var system = ActorSystem.Create("bad-settings", TestConfig.Engine("event-engine.run-mode = forever"));
        var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, _ => { }));
        Assert.Contains("event-engine.run-mode = 'forever' is not valid: expected one of: run-to-completion, service", error.Message);
    }

    [Fact]
    public void Plugin_names_are_validated()
    {
        var builder = new EventEngineBuilder().AddPlugin<Counter>();
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => builder.AddPlugin<Counter>()).Message);
        Assert.Contains("not a valid plugin name", Assert.Throws<ArgumentException>(() => builder.AddPlugin<Counter>("a/b")).Message);
    }

    [Fact]
    public async Task A_plugin_created_outside_an_engine_fails_with_a_clear_message()
    {
        using var system = ActorSystem.Create("no-engine", TestConfig.Engine());
        var error = Assert.Throws<EventEngineException>(() => EventEngine.Of(system));
        Assert.Contains("hosts no event engine", error.Message);
        await system.Terminate();
    }
}
