using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Akka.Hosting;
using EventEngine.Actors.Hosting;

namespace EventEngine.WebApi;

/// <summary>The web API and the engine in one Generic Host.</summary>
public static class WebApiApp
{
    /// <summary>Builds the application; configuration (urls, <c>EventEngine</c> options) comes from <paramref name="args"/>, appsettings and the environment.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services
            .AddSingleton<IPriceList, FixedPriceList>()
            .AddEventEngineServices()
            .AddAkka("web-api", akka => akka
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .WithEventEngine(builder.Configuration.GetSection("EventEngine").Get<EventEngineOptions>(),
                    (engine, _) => engine.AddPlugin<OrderDesk>()));
        builder.Services.AddHealthChecks().AddEventEngine();

        var app = builder.Build();
        new EventRoutes().Add<Order>().Add<OrderConfirmed>().Map(app);
        app.MapHealthChecks("/health");
        return app;
    }
}
