using System.Diagnostics;

namespace EventEngine.Actors.Diagnostics;

/// <summary>
/// The engine's trace spans, in an <see cref="ActivitySource"/> named <see cref="SourceName"/>: one span per publish
/// and one per handle, the handle span a child of the publish span it delivers (so a reaction published in a
/// handler joins the same trace). Nothing is created, and nearly nothing costs, while nobody listens.
/// </summary>
public static class EngineTracing
{
    /// <summary>The source name to listen to (OpenTelemetry: <c>.AddSource("EventEngine.Actors")</c>).</summary>
    public const string SourceName = "EventEngine.Actors";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A publish span, a child of the current span (the handle span when a handler publishes), or null.</summary>
    internal static Activity? StartPublish(string eventType, string node)
    {
        if (!Source.HasListeners()) return null;
        var span = Source.StartActivity($"publish {eventType}", ActivityKind.Producer);
        span?.SetTag("event_engine.event_type", eventType).SetTag("event_engine.node", node);
        return span;
    }

    /// <summary>A handle span, a child of the delivery's publish span, or null when that was not traced.</summary>
    internal static Activity? StartHandle(Activity? parent, string eventType, string plugin, string node)
    {
        if (parent is null || !Source.HasListeners()) return null;
        var span = Source.StartActivity($"handle {eventType}", ActivityKind.Consumer, parent.Context);
        span?.SetTag("event_engine.event_type", eventType).SetTag("event_engine.plugin", plugin).SetTag("event_engine.node", node);
        return span;
    }
}
