using Akka.Actor;
using EventEngine.Actors.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventEngine.Actors.Hosting;

/// <summary>
/// The engine's health, from <see cref="EventEngine.Status"/>: healthy once the start-up barrier has passed;
/// degraded while starting, while a source is paused, while an external plugin has never connected or is
/// disconnected, or while its queue holds more than <c>event-engine.health.degraded-queue-depth</c> events;
/// unhealthy once the engine is stopping or stopped. Register it with
/// <see cref="EventEngineHealthCheckExtensions.AddEventEngine"/>.
/// </summary>
public sealed class EventEngineHealthCheck : IHealthCheck
{
    private readonly ActorSystem _system;

    /// <summary>Checks the engine hosted by <paramref name="system"/>.</summary>
    public EventEngineHealthCheck(ActorSystem system) => _system = system;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        EventEngine engine;
        try
        {
            engine = EventEngine.Of(_system);
        }
        catch (EventEngineException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
        return Task.FromResult(Evaluate(engine.Status(), engine.Settings.DegradedQueueDepth));
    }

    /// <summary>The health a status stands for; <paramref name="degradedQueueDepth"/> is the queue depth that degrades it.</summary>
    public static HealthCheckResult Evaluate(EngineStatus status, int degradedQueueDepth)
    {
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State.ToString(),
            ["paused-sources"] = status.PausedSources.Select(s => s.Source).ToArray(),
            ["external-plugins"] = status.ExternalPlugins.ToDictionary(p => p.Name, p => (object)$"{p.Connection}, {p.QueueDepth} queued"),
        };
        if (status.State is EngineState.Stopping or EngineState.Stopped)
            return HealthCheckResult.Unhealthy($"the event engine is {status.State.ToString().ToLowerInvariant()}", data: data);
        var problems = new List<string>();
        if (status.State == EngineState.Starting) problems.Add("waiting for the start-up barrier");
        problems.AddRange(status.ExternalPlugins
            .Where(p => p.Connection is ExternalPluginConnection.NeverConnected or ExternalPluginConnection.Disconnected)
            .Select(p => $"external plugin {p.Name} {(p.Connection == ExternalPluginConnection.NeverConnected ? "has never connected" : "is disconnected")} ({p.QueueDepth} queued)"));
        problems.AddRange(status.ExternalPlugins
            .Where(p => p.Connection == ExternalPluginConnection.Connected && p.QueueDepth > degradedQueueDepth)
            .Select(p => $"external plugin {p.Name} has {p.QueueDepth} events queued (more than {degradedQueueDepth})"));
        problems.AddRange(status.PausedSources.Select(s =>
            $"source {s.Source} is paused ({s.InFlight} in flight{(s.HeldBy.Count > 0 ? ", held by " + string.Join(", ", s.HeldBy) : "")})"));
        return problems.Count == 0
            ? HealthCheckResult.Healthy("the event engine is running", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}

/// <summary>Registers <see cref="EventEngineHealthCheck"/>.</summary>
public static class EventEngineHealthCheckExtensions
{
    /// <summary>
    /// Adds the event engine's health check (<see cref="EventEngineHealthCheck"/>) for the actor system registered by
    /// <c>AddAkka</c>.
    /// </summary>
    /// <example><code>
    /// services.AddHealthChecks().AddEventEngine();
    /// </code></example>
    public static IHealthChecksBuilder AddEventEngine(this IHealthChecksBuilder builder, string name = "event-engine", IEnumerable<string>? tags = null) =>
        builder.Add(new HealthCheckRegistration(name, services => new EventEngineHealthCheck(services.GetRequiredService<ActorSystem>()), null, tags));
}
