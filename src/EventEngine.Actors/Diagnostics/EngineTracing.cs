using System.Diagnostics;
using System.Text;

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

    /// <summary>
    /// A publish span, or null: a child of <paramref name="parent"/> (a W3C traceparent that came over the wire) if
    /// given, else of the current span (the handle span when a handler publishes).
    /// </summary>
    internal static Activity? StartPublish(string eventType, string node, ActivityContext parent = default)
    {
        if (!Source.HasListeners()) return null;
        var span = Source.StartActivity($"publish {eventType}", ActivityKind.Producer, parent);
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

    /// <summary>
    /// Ends the handle span of an async handler, which is no longer the current span (its awaits carried it), without
    /// changing the current span (<see cref="Activity.Stop"/> would make the span's parent current); marked failed if
    /// <paramref name="failure"/> is given.
    /// </summary>
    internal static void EndDetached(Activity? span, Exception? failure)
    {
        if (span is null) return;
        if (failure is not null) Failed(span, failure);
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }

    /// <summary>
    /// Marks a handle span failed, per OpenTelemetry's conventions: status Error with the exception's message, and an
    /// <c>exception</c> event carrying <c>exception.type</c>, <c>exception.message</c> and <c>exception.stacktrace</c>.
    /// </summary>
    internal static void Failed(Activity? span, Exception failure)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, failure.Message);
        span.AddException(failure);
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="span"/> (<c>00-trace-id-span-id-flags</c>), or null.</summary>
    internal static string? TraceparentOf(Activity? span) => span is { IdFormat: ActivityIdFormat.W3C } ? span.Id : null;

    /// <summary>Parses a W3C <c>traceparent</c> (55 ASCII characters); false when it is not one.</summary>
    internal static bool TryParseTraceparent(ReadOnlySpan<byte> ascii, out ActivityContext context)
    {
        context = default;
        return ascii.Length == 55 && ActivityContext.TryParse(Encoding.ASCII.GetString(ascii), null, isRemote: true, out context);
    }
}
