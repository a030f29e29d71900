using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Akka.Hosting;
using EventEngine.Actors.Hosting;

namespace EventEngine.WebApi;

/// <summary>The web API and the engine in one Generic Host.</summary>
public static class WebApiApp
{
    /// <summary>
    /// Builds the application. Configuration (<c>Urls</c>, the <c>EventEngine</c> options) comes from appsettings.json
    /// beside the program, the environment and <paramref name="args"/>; <paramref name="configure"/> may adjust the
    /// builder further (the tests narrow Kestrel's buffers).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services
            .AddSingleton<IPriceList, FixedPriceList>()
            .AddEventEngineServices()
            .AddAkka("web-api", akka => akka
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
                .WithEventEngine(builder.Configuration.GetSection("EventEngine").Get<EventEngineOptions>(),
                    (engine, _) => engine.AddPlugin<OrderDesk>()));
        builder.Services.AddHealthChecks().AddEventEngine();
        configure?.Invoke(builder);

        var app = builder.Build();
        new EventRoutes().Add<Order>().Add<Invoice>().Map(app);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealth });
        return app;
    }

    // The status and why (e.g. "source host is paused (16 in flight)"), not just the status word.
    private static Task WriteHealth(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            Status = report.Status.ToString(),
            Checks = report.Entries.ToDictionary(e => e.Key, e => new { Status = e.Value.Status.ToString(), e.Value.Description }),
        });
}
