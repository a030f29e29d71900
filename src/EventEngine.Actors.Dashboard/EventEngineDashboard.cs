using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventEngine.Actors.Dashboard;

/// <summary>
/// The standalone dashboard of a console engine: a small Kestrel server configured by <c>event-engine.dashboard</c>,
/// stopped by the engine's CoordinatedShutdown.
/// </summary>
public static class EventEngineDashboard
{
    /// <summary>The path the standalone dashboard lives under.</summary>
    public const string Path = "/engine";

    /// <summary>
    /// Starts the dashboard of <paramref name="engine"/> when <c>event-engine.dashboard.enabled</c> is on; returns its
    /// address (<c>http://127.0.0.1:PORT/engine</c>), or null when it is off.
    /// </summary>
    /// <exception cref="EventEngineException">Bad settings, or the port cannot be bound.</exception>
    public static Uri? Start(EventEngine engine)
    {
        var settings = DashboardSettings.From(engine.System.Settings.Config);
        if (!settings.Enabled) return null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the engine logs through Akka; the dashboard has nothing to add
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(settings.BindAddress, settings.Port));
        var app = builder.Build();
        EngineObserver.Of(engine); // counts from now (before the plugins start, when called right after the engine's start), not from the first page view
        app.MapEventEngineDashboard(() => engine, Path, settings.Token);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new EventEngineException($"event-engine.dashboard: cannot listen on {settings.BindAddress}:{settings.Port}: {e.Message}", e);
        }
        CoordinatedShutdown.Get(engine.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-dashboard", async () =>
        {
            await app.StopAsync();
            await app.DisposeAsync();
            return Akka.Done.Instance;
        });
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new Uri($"http://{settings.BindAddress}:{bound.Port}{Path}");
    }
}
