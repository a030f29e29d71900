using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using EventEngine.Actors.HostAccess;

namespace EventEngine.WebApi;

/// <summary>
/// The event types reachable at <c>/events/{type}</c> (the type's name, case-insensitive): <c>POST</c> publishes a JSON
/// body as the typed record, <c>GET</c> streams the type's events as Server-Sent Events. Bad input gets a 400 problem
/// naming what was wrong; nothing is published for it.
/// </summary>
public sealed class EventRoutes
{
    /// <summary>Strict JSON: every constructor parameter present, non-nullable ones not null, no unknown members.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly Dictionary<string, Route> _routes = new(StringComparer.OrdinalIgnoreCase);

    private sealed record Route(Func<HttpRequest, IEventPublisher, Task<IResult>> Publish, Func<HttpContext, IEventSubscriber, CancellationToken, Task> Stream);

    /// <summary>Makes <typeparamref name="T"/> reachable at <c>/events/{T's name}</c>.</summary>
    public EventRoutes Add<T>() where T : notnull
    {
        _routes.Add(typeof(T).Name, new Route(PublishAsync<T>, StreamAsync<T>));
        return this;
    }

    /// <summary>Maps <c>POST</c> and <c>GET /events/{type}</c>.</summary>
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/events/{type}", (string type, HttpRequest request, IEventPublisher events) =>
            _routes.TryGetValue(type, out var route) ? route.Publish(request, events) : Task.FromResult(Unknown(type)));
        app.MapGet("/events/{type}", (string type, HttpContext context, IEventSubscriber events, IHostApplicationLifetime host) =>
            _routes.TryGetValue(type, out var route) ? route.Stream(context, events, host.ApplicationStopping) : Unknown(type).ExecuteAsync(context));
    }

    private IResult Unknown(string type) =>
        Results.Problem($"unknown event type '{type}'; known: {string.Join(", ", _routes.Keys)}", statusCode: 400, title: "Unknown event type");

    private static async Task<IResult> PublishAsync<T>(HttpRequest request, IEventPublisher events) where T : notnull
    {
        T? @event;
        try
        {
            @event = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Invalid<T>($"the body is not a valid {typeof(T).Name}: {e.Message}");
        }
        if (@event is null) return Invalid<T>($"the body is null; expected an object for {typeof(T).Name}");
        await events.PublishAsync(@event, request.HttpContext.RequestAborted); // waits while the engine's host window is full
        return Results.Accepted();
    }

    private static IResult Invalid<T>(string detail) => Results.Problem(detail, statusCode: 400, title: $"Invalid {typeof(T).Name}");

    private static async Task StreamAsync<T>(HttpContext context, IEventSubscriber events, CancellationToken stopping) where T : notnull
    {
        // Ends when the client goes away or the application stops (an open stream must not hold up shutdown).
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var response = context.Response;
        try
        {
            await using var subscription = await events.SubscribeAsync<T>(end.Token);
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            await response.WriteAsync(": subscribed\n\n", end.Token); // every event published from now on follows
            await foreach (var @event in subscription.WithCancellation(end.Token))
            {
                // WriteAsync flushes, and waits while the client is behind: the subscription then holds this event's
                // credit (and those queued behind it), which pauses the producers.
                await response.WriteAsync($"event: {typeof(T).Name}\ndata: {JsonSerializer.Serialize(@event, Json)}\n\n", end.Token);
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            // the client left or the host stops: the stream ends (the subscription is disposed, its events settled)
        }
    }
}
