using Akka.Actor;
using Akka.Hosting;
using EventEngine.Actors.Gateway;
using EventEngine.Actors.Hosting;
using EventEngine.Actors.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>The engine's health check in a Generic Host, driven through its life by a real external plugin peer.</summary>
public class HealthCheckTests
{
    [Fact]
    public async Task The_health_check_follows_the_engine_from_starting_through_running_and_a_disconnected_plugin_to_stopped()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka("health", akka => akka
                    .AddHocon("""
                        event-engine {
                          run-mode = service
                          wire { publish-port = 0, subscribe-port = 0 }
                          startup.timeout = 60s
                        }
                        """, HoconAddMode.Prepend)
                    .WithEventEngine(engine => engine.AddExternalPlugin("Py", 0, ["TypeA"])));
                services.AddHealthChecks().AddEventEngine();
            })
            .Build();
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var engine = EventEngine.Of(host.Services.GetRequiredService<ActorSystem>());

        var starting = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, starting.Status);
        Assert.Contains("waiting for the start-up barrier", starting.Entries["event-engine"].Description);
        Assert.Contains("external plugin Py has never connected", starting.Entries["event-engine"].Description);

        var peer = new PluginPeer(engine.ExternalPluginPort("Py"));
        Assert.Empty(peer.NextBatch(1, waitMs: 0));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await AwaitStatus(health, HealthStatus.Healthy, "the event engine is running");

        peer.Dispose();
        await AwaitStatus(health, HealthStatus.Degraded, "external plugin Py is disconnected");

        await host.StopAsync();
        await AwaitStatus(health, HealthStatus.Unhealthy, "the event engine is stopp");
    }

    private static async Task AwaitStatus(HealthCheckService health, HealthStatus expected, string description)
    {
        HealthReportEntry entry = default;
        await Wait.Until(async () =>
        {
            entry = (await health.CheckHealthAsync()).Entries["event-engine"];
            return entry.Status == expected && entry.Description?.Contains(description, StringComparison.Ordinal) == true;
        }, () => $"health {expected} ({description}), still {entry.Status}: {entry.Description}", TimeSpan.FromSeconds(30));
    }
}
