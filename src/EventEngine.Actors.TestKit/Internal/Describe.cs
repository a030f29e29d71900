using System.Text;
using EventEngine.Actors.Events;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>How events, frames and durations are written in failure messages.</summary>
internal static class Describe
{
    private const int MaxFrameBytes = 64;

    public static string Event(object @event) => @event switch
    {
        RawEvent raw => $"raw frame {Frame(raw.Frame)}",
        _ => @event.ToString() is { Length: > 0 } text && text != @event.GetType().FullName ? text : @event.GetType().Name,
    };

    /// <summary>A frame as a quoted string: printable ASCII as is, other bytes as \xNN, long frames cut.</summary>
    public static string Frame(ReadOnlySpan<byte> frame)
    {
        var text = new StringBuilder("\"");
        foreach (var b in frame[..Math.Min(frame.Length, MaxFrameBytes)])
        {
            if (b == '"' || b == '\\') text.Append('\\').Append((char)b);
            else if (b is >= 0x20 and < 0x7f) text.Append((char)b);
            else text.Append($"\\x{b:x2}");
        }
        text.Append('"');
        if (frame.Length > MaxFrameBytes) text.Append($"... ({frame.Length} bytes)");
        return text.ToString();
    }

    public static string Prefix(byte[] prefix) => prefix.Length == 0 ? "\"\" (everything)" : Frame(prefix);

    public static string Duration(TimeSpan duration) => duration.TotalSeconds >= 1
        ? $"{duration.TotalSeconds:0.###}s"
        : $"{duration.TotalMilliseconds:0}ms";

    public static string List(IEnumerable<PublishedEvent> events, int max = 10)
    {
        var all = events.ToList();
        var shown = string.Join(", ", all.TakeLast(max).Select(e => e.ToString()));
        return all.Count > max ? $"... {all.Count - max} more, then {shown}" : shown;
    }

    public static string Plural(int count, string what) => count == 1 ? $"1 {what}" : $"{count} {what}s";
}
