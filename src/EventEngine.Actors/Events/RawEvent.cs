using System.Text;

namespace EventEngine.Actors.Events;

/// <summary>
/// A frame whose prefix matches no registered event type, delivered as it came off the wire
/// (filter included). Subscribe to it with a raw prefix subscription.
/// </summary>
/// <param name="Frame">The whole frame. Do not modify it: one instance is shared by all subscribers.</param>
public sealed record RawEvent(byte[] Frame)
{
    /// <summary>True when the frame starts with <paramref name="prefix"/> (ASCII).</summary>
    public bool StartsWith(string prefix) => Frame.AsSpan().StartsWith(Encoding.ASCII.GetBytes(prefix));

    /// <summary>The frame as UTF-8 text (invalid bytes replaced), for logs and tests.</summary>
    public override string ToString() => $"RawEvent({Encoding.UTF8.GetString(Frame)})";
}
