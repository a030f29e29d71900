using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using EventEngine.Actors.HostAccess;

namespace EventEngine.WebApi;

/// <summary>
/// The event types reachable at <c>/events/{type}</c>: <c>POST</c> publishes a JSON body as the typed record,
/// <c>GET</c> streams the type's events as Server-Sent Events.
/// </summary>
public sealed class EventRoutes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { RespectRequiredConstructorParameters = true };
    private readonly Dictionary<string, Route> _routes = new(StringComparer.OrdinalIgnoreCase);

    private sealed record Route(
        Func<HttpRequest, IEventPublisher, CancellationToken, Task<IResult>> Publish,
        Func<HttpResponse, IEventSubscriber, CancellationToken, Task> Stream);

    /// <summary>Makes <typeparamref name="T"/> reachable at <c>/events/{name}</c> (its type name, case-insensitive, by default).</summary>
    public EventRoutes Add<T>(string? name = null) where T : notnull
    {
        _routes.Add(name ?? typeof(T).Name, new Route(PublishAsync<T>, StreamAsync<T>));
        return this;
    }

    /// <summary>Maps <c>POST</c> and <c>GET /events/{type}</c>.</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/events/{type}", (string type, HttpRequest request, IEventPublisher events, CancellationToken token) =>
            _routes.TryGetValue(type, out var route) ? route.Publish(request, events, token) : Task.FromResult(Unknown(type)));
        app.MapGet("/events/{type}", async (string type, HttpContext context, IEventSubscriber events, CancellationToken token) =>
        {
            if (_routes.TryGetValue(type, out var route)) await route.Stream(context.Response, events, token);
            else await Unknown(type).ExecuteAsync(context);
        });
    }

    private IResult Unknown(string type) =>
        Results.NotFound($"unknown event type '{type}'; known: {string.Join(", ", _routes.Keys)}");

    private static async Task<IResult> PublishAsync<T>(HttpRequest request, IEventPublisher events, CancellationToken token) where T : notnull
    {
        T? @event;
        try
        {
            @event = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, token);
        }
        catch (JsonException e)
        {
            return Results.BadRequest($"the body is not a valid {typeof(T).Name} (JSON path {e.Path ?? "$"}, line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }
        if (@event is null) return Results.BadRequest($"the body is null; expected a {typeof(T).Name} object");
        await events.PublishAsync(@event, token); // waits while the type's subscribers are behind
        return Results.Accepted();
    }

    private static async Task StreamAsync<T>(HttpResponse response, IEventSubscriber events, CancellationToken token) where T : notnull
    {
        await using var subscription = await events.SubscribeAsync<T>(token);
        response.ContentType = "text/event-stream";
        await response.WriteAsync(": subscribed\n\n", token); // the stream is live: every event from now on follows
        await response.Body.FlushAsync(token);
        await foreach (var @event in subscription.WithCancellation(token))
        {
            await response.WriteAsync($"event: {typeof(T).Name}\ndata: {JsonSerializer.Serialize(@event, Json)}\n\n", token);
            await response.Body.FlushAsync(token); // waits while the client reads slowly: the producer pauses
        }
    }
}
