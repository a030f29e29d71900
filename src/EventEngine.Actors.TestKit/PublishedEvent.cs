using System.Text;
using EventEngine.Actors.Events;
using EventEngine.Actors.TestKit.Internal;

namespace EventEngine.Actors.TestKit;

/// <summary>One event the plugins under test published, with the frame it has on the wire.</summary>
public sealed class PublishedEvent
{
    internal PublishedEvent(object @event, EventType? type, byte[] frame, string? codecProblem)
    {
        Event = @event;
        Type = type;
        Frame = frame;
        CodecProblem = codecProblem;
    }

    /// <summary>The event: an instance of the event type's C# type, or a <see cref="RawEvent"/>.</summary>
    public object Event { get; }

    /// <summary>The registered event type, or null for a raw frame.</summary>
    public EventType? Type { get; }

    /// <summary>The event type's name, or <c>raw</c>.</summary>
    public string TypeName => Type?.Name ?? "raw";

    /// <summary>The event encoded with its registered type (filter, then payload): the bytes other processes receive.</summary>
    public byte[] Frame { get; }

    /// <summary>The frame as UTF-8 text (invalid bytes replaced), for the original's text layouts.</summary>
    public string FrameText => Encoding.UTF8.GetString(Frame);

    /// <summary>
    /// Why the event does not survive its codec (it does not decode back to an equal event, or another event type's
    /// filter takes its frame), or null. Checked while <c>CodecRoundTrip</c> is on; expectations fail on it.
    /// </summary>
    public string? CodecProblem { get; }

    /// <summary>The event as <typeparamref name="T"/>; throws naming the event when it is something else.</summary>
    public T As<T>() => Event is T t
        ? t
        : throw new EventExpectationException($"Expected a {typeof(T).Name}, but the event is {this}.");

    /// <inheritdoc />
    public override string ToString() => Event is RawEvent
        ? Describe.Event(Event)
        : $"{Describe.Event(Event)} (frame {Describe.Frame(Frame)})";
}
