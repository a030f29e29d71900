using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EventEngine.Actors.Gateway;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>An engine in its own actor system on ephemeral loopback ports, its log captured and its meter recorded; terminated on dispose.</summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private TestEngine(ActorSystem system, EventEngine engine, LogCapture log, MetricsRecorder metrics)
    {
        System = system;
        Engine = engine;
        Log = log;
        Metrics = metrics;
    }

    public ActorSystem System { get; }

    public EventEngine Engine { get; }

    public LogCapture Log { get; }

    public MetricsRecorder Metrics { get; }

    /// <summary>Starts an engine; <paramref name="hocon"/> overrides the test defaults (service mode, ports 0, quick process restarts).</summary>
    public static TestEngine Start(Action<EventEngineBuilder> configure, string hocon = "")
    {
        var config = ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString($$"""
                akka.loglevel = INFO
                akka.stdout-loglevel = WARNING
                akka.loggers = []
                akka.log-dead-letters = off
                event-engine {
                  run-mode = service
                  wire { publish-port = 0, subscribe-port = 0 }
                  startup.timeout = 60s
                  gateway.processes {
                    python-path = ["{{Paths.PyEvents}}"]
                    restart-backoff { min = 100ms, max = 1s }
                  }
                }
                """))
            .WithFallback(EventEngine.ReferenceConfig);
        var system = ActorSystem.Create($"fault-{Guid.NewGuid():N}"[..22], config);
        var log = LogCapture.Attach(system);
        var metrics = new MetricsRecorder(); // before the start: plugins may publish before Start has returned
        try
        {
            var engine = EventEngine.Start(system, configure);
            metrics.Watch(engine);
            return new TestEngine(system, engine, log, metrics);
        }
        catch
        {
            metrics.Dispose();
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    public int PortOf(string plugin) => Engine.ExternalPluginPort(plugin);

    public PluginPeer Peer(string plugin) => new(PortOf(plugin));

    /// <summary>Events queued for an external plugin and not yet handed out.</summary>
    public int Queued(string plugin) => GatewayComponent.Of(Engine)!.Queued(plugin);

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        Metrics.Dispose();
    }
}
