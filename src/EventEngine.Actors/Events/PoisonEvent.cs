namespace EventEngine.Actors.Events;

/// <summary>
/// Published by the engine when a plugin's handler threw on an event (the event is dropped and the plugin restarts):
/// subscribe to it like any event (a plugin, the TestKit, an external plugin by the name <c>PoisonEvent</c>) to store,
/// alert on or replay what failed. MessagePack, keyed by property name. A <see cref="PoisonEvent"/> whose own handler
/// throws is only counted, never published again, so it cannot loop.
/// </summary>
/// <param name="Plugin">The plugin whose handler threw.</param>
/// <param name="EventType">The failed event's type name (<c>raw</c> for a frame no type decodes).</param>
/// <param name="ExceptionType">The exception's full type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="Frame">The failed event as a wire frame (filter and payload), or null if it could not be encoded.</param>
/// <param name="Time">When the handler threw.</param>
public sealed record PoisonEvent(string Plugin, string EventType, string ExceptionType, string Message, byte[]? Frame, DateTimeOffset Time);
