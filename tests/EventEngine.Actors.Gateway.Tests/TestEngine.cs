using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EventEngine.Actors.Gateway;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>An engine in its own actor system on ephemeral ports, with its log captured; terminated on dispose.</summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private TestEngine(ActorSystem system, EventEngine engine, LogCapture log)
    {
        System = system;
        Engine = engine;
        Log = log;
    }

    public ActorSystem System { get; }

    public EventEngine Engine { get; }

    public LogCapture Log { get; }

    /// <summary>Starts an engine; <paramref name="hocon"/> overrides the test defaults (service mode, ports 0).</summary>
    public static TestEngine Start(Action<EventEngineBuilder> configure, string hocon = "")
    {
        var config = ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString("""
                akka.loglevel = INFO
                akka.stdout-loglevel = WARNING
                akka.loggers = []
                event-engine {
                  run-mode = service
                  wire { publish-port = 0, subscribe-port = 0 }
                  startup.timeout = 60s
                  gateway.processes.restart-backoff { min = 100ms, max = 1s }
                }
                """))
            .WithFallback(EventEngine.ReferenceConfig);
        var system = ActorSystem.Create($"gateway-test-{Guid.NewGuid():N}"[..24], config);
        var log = LogCapture.Attach(system);
        try
        {
            return new TestEngine(system, EventEngine.Start(system, configure), log);
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    public int PortOf(string plugin) => Engine.ExternalPluginPort(plugin);

    public PluginPeer Peer(string plugin) => new(PortOf(plugin), replyTimeout: TimeSpan.FromSeconds(20));

    /// <summary>Events queued for an external plugin and not yet handed out.</summary>
    public int Queued(string plugin) => GatewayComponent.Of(Engine)!.Queued(plugin);

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
