using System.Buffers;
using System.Text;

namespace EventEngine.Actors.Codecs;

/// <summary>
/// The original engine's text layout: the payload is UTF-8 text (for example <c>TypeA</c> + <c>This is message 0</c>).
/// Invalid UTF-8 is rejected rather than replaced, so a corrupt frame is reported, not silently altered.
/// </summary>
public sealed class Utf8TextCodec<T> : IEventCodec<T> where T : notnull
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Func<T, string> _toText;
    private readonly Func<string, T> _fromText;

    /// <summary>Creates the codec from the two mappings between the event and its text.</summary>
    public Utf8TextCodec(Func<T, string> toText, Func<string, T> fromText)
    {
        _toText = toText;
        _fromText = fromText;
    }

    /// <inheritdoc />
    public void Encode(T value, IBufferWriter<byte> payload) => Strict.GetBytes(_toText(value), payload);

    /// <inheritdoc />
    public T Decode(ReadOnlyMemory<byte> payload) => _fromText(Strict.GetString(payload.Span));
}
