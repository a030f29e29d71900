using System.Collections.Concurrent;
using Akka.Hosting;
using EventEngine.Actors.Hosting;
using EventEngine.Samples.Example;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventEngine.Actors.Tests;

public class HostingTests
{
    [Fact]
    public async Task WithEventEngine_runs_the_plugins_in_a_generic_host_logs_through_MEL_and_stops_the_host_when_they_finish()
    {
        var logged = new ConcurrentQueue<string>();
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new CollectingLoggerProvider(logged)))
            .ConfigureServices(services => services.AddAkka("hosted", akka => akka
                .AddHocon("event-engine { run-mode = run-to-completion, wire { publish-port = 0, subscribe-port = 0 } }", HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithEventEngine(engine => engine.AddExamplePlugins().AddPlugin<Goodbye>("PyPlugin"))))
            .Build();

        var system = host.Services.GetRequiredService<Akka.Actor.ActorSystem>();

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        // The host stopped by itself because every plugin finished (run-to-completion).
        Assert.True(EventEngine.Of(system).Completion.IsCompletedSuccessfully, "the host stopped before the plugins finished");
        Assert.IsType<AllPluginsFinishedReason>(Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason);
        // Akka's log reached Microsoft.Extensions.Logging. (Plugin lines logged just before the system terminates
        // may still be in flight when the logger stops, so the check uses the engine's start-up line.)
        Assert.Contains(logged, line => line.Contains("Event engine") && line.Contains("running"));
    }
}
