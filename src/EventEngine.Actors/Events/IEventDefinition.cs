namespace EventEngine.Actors.Events;

/// <summary>
/// Lets an event type declare its own definition (name, filter, codec) once, on the type itself; every engine
/// then uses it without registration. Types that do not implement it get the defaults (name, MessagePack).
/// </summary>
/// <example><code>
/// public sealed record TypeA(string Text) : IEventDefinition&lt;TypeA&gt;
/// {
///     public static EventType&lt;TypeA&gt; Definition { get; } = EventType.Utf8Text&lt;TypeA&gt;(e =&gt; e.Text, s =&gt; new(s));
/// }
/// </code></example>
public interface IEventDefinition<TSelf> where TSelf : notnull, IEventDefinition<TSelf>
{
    /// <summary>The event type's definition. Return the same instance every time.</summary>
    static abstract EventType<TSelf> Definition { get; }
}
