using System.Runtime.CompilerServices;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventEngine.Actors.Dashboard;

/// <summary>
/// Adds the dashboard to an engine: it observes the engine from its start (so no early event goes uncounted) and,
/// when <c>event-engine.dashboard.enabled</c> is on, serves it standalone on a small Kestrel server that the engine's
/// CoordinatedShutdown stops.
/// </summary>
public static class EventEngineDashboard
{
    /// <summary>The path the standalone dashboard lives under.</summary>
    public const string Path = "/engine";

    private static readonly ConditionalWeakTable<EventEngine, Uri> Addresses = new();

    /// <summary>Observes the engine from its start for the dashboard, and serves it standalone when HOCON enables it.</summary>
    /// <exception cref="EventEngineException">At engine start: bad settings, or the port cannot be bound.</exception>
    public static EventEngineBuilder AddDashboard(this EventEngineBuilder engine) => engine.AddComponent(new DashboardComponent());

    /// <summary>The standalone dashboard's address (<c>http://127.0.0.1:PORT/engine</c>), or null when it is not served.</summary>
    public static Uri? AddressOf(EventEngine engine) => Addresses.TryGetValue(engine, out var address) ? address : null;

    private sealed class DashboardComponent : IEngineComponent
    {
        public IReadOnlyCollection<string> ParticipantNames => [];

        public void Start(EventEngine engine)
        {
            EngineObserver.Of(engine);
            var settings = DashboardSettings.From(engine.System.Settings.Config);
            if (settings.Enabled) Addresses.AddOrUpdate(engine, Serve(engine, settings));
        }

        private static Uri Serve(EventEngine engine, DashboardSettings settings)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders(); // the engine logs through Akka; the dashboard has nothing to add
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(settings.BindAddress, settings.Port));
            var app = builder.Build();
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
}
