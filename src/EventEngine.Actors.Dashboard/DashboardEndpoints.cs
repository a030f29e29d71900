using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EventEngine.Actors.Dashboard;

/// <summary>Maps the dashboard into an ASP.NET Core application.</summary>
public static class DashboardEndpoints
{
    /// <summary>
    /// Serves the dashboard of the engine hosted by the application's <see cref="ActorSystem"/> (Akka.Hosting) under
    /// <paramref name="prefix"/>: the page at <c>{prefix}/</c>, <c>{prefix}/api/state</c> (JSON) and
    /// <c>{prefix}/api/stream</c> (Server-Sent Events, one snapshot a second).
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The path the dashboard lives under.</param>
    /// <param name="token">When not empty, every request must carry it (<c>?token=</c> or <c>Authorization: Bearer</c>).</param>
    public static RouteGroupBuilder MapEventEngineDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/engine", string? token = null) =>
        endpoints.MapEventEngineDashboard(() => EventEngine.Of(endpoints.ServiceProvider.GetRequiredService<ActorSystem>()), prefix, token);

    /// <summary>Serves the dashboard of <paramref name="engine"/> under <paramref name="prefix"/> (see the other overload).</summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="engine">The engine (read on each request, so it may start after the application is built).</param>
    /// <param name="prefix">The path the dashboard lives under.</param>
    /// <param name="token">When not empty, every request must carry it.</param>
    public static RouteGroupBuilder MapEventEngineDashboard(this IEndpointRouteBuilder endpoints, Func<EventEngine> engine, string prefix = "/engine", string? token = null)
    {
        var group = endpoints.MapGroup(prefix);
        if (!string.IsNullOrEmpty(token)) group.AddEndpointFilter(new TokenFilter(token).InvokeAsync);
        group.MapGet("/", (HttpContext http) => http.Request.Path.Value!.EndsWith('/')
            ? Asset("index.html", "text/html; charset=utf-8")
            : Results.Redirect(http.Request.PathBase + http.Request.Path + "/" + http.Request.QueryString));
        group.MapGet("/dashboard.js", () => Asset("dashboard.js", "text/javascript; charset=utf-8"));
        group.MapGet("/dashboard.css", () => Asset("dashboard.css", "text/css; charset=utf-8"));
        group.MapGet("/api/state", () => Results.Json(EngineObserver.Of(engine()).Latest));
        group.MapGet("/api/stream", (CancellationToken stop) =>
            TypedResults.ServerSentEvents(Stream(EngineObserver.Of(engine()), stop), "snapshot"));
        return group;
    }

    private static async IAsyncEnumerable<EngineSnapshot> Stream(EngineObserver observer, [EnumeratorCancellation] CancellationToken stop)
    {
        yield return observer.Latest;
        while (!stop.IsCancellationRequested)
        {
            EngineSnapshot next;
            try
            {
                next = await observer.Next().WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                yield break; // the client left, or the engine stopped
            }
            yield return next;
        }
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"dashboard/{name}")
            ?? throw new InvalidOperationException($"the dashboard's embedded {name} is missing");
        return Results.Stream(stream, contentType);
    }

    private sealed class TokenFilter(string token)
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var request = context.HttpContext.Request;
            var given = request.Query["token"].FirstOrDefault()
                ?? (request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null);
            return given == token ? next(context) : ValueTask.FromResult<object?>(Results.Text("event-engine dashboard: missing or wrong token\n", statusCode: 401));
        }
    }
}
