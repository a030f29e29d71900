using System.Text;
using MessagePack;

namespace EventEngine.Cli;

/// <summary>How <c>echo</c> shows a frame: its filter, then the payload as JSON (MessagePack), text, or hex with printable characters.</summary>
internal static class FrameText
{
    /// <param name="frame">The frame (filter included).</param>
    /// <param name="filter">Where it splits: its event type's filter, or the subscribed prefix (<see cref="KnownFilters"/>).</param>
    public static string Format(byte[] frame, string filter) =>
        filter.Length == 0 ? Payload(frame) : $"{filter} {Payload(frame.AsMemory(filter.Length))}";

    public static string Payload(ReadOnlyMemory<byte> payload)
    {
        if (TryMessagePack(payload) is { } json) return json;
        if (TryText(payload.Span) is { } text) return text;
        return Hex(payload.Span);
    }

    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        var hex = Convert.ToHexString(bytes).ToLowerInvariant();
        var printable = new StringBuilder(bytes.Length);
        foreach (var b in bytes) printable.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        return $"{hex} |{printable}|";
    }

    private static string? TryMessagePack(ReadOnlyMemory<byte> payload)
    {
        // only maps and arrays: a lone MessagePack scalar is usually text that happens to parse
        if (payload.Length == 0 || payload.Span[0] is not (>= 0x80 and <= 0x9f or 0xdc or 0xdd or 0xde or 0xdf)) return null;
        try
        {
            var reader = new MessagePackReader(payload);
            var json = new StringWriter();
            MessagePackSerializer.ConvertToJson(ref reader, json);
            return reader.End ? json.ToString() : null;
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }

    private static string? TryText(ReadOnlySpan<byte> payload)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
            return text.Any(c => char.IsControl(c) && c is not ('\n' or '\t' or '\r')) ? null : text;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
