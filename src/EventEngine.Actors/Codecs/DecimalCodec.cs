using System.Buffers;
using System.Buffers.Text;

namespace EventEngine.Actors.Codecs;

/// <summary>
/// The original engine's count layout: the payload is an integer in ASCII decimal (for example <c>TypeB</c> + <c>17</c>).
/// </summary>
public sealed class DecimalCodec<T> : IEventCodec<T> where T : notnull
{
    private readonly Func<T, long> _toNumber;
    private readonly Func<long, T> _fromNumber;

    /// <summary>Creates the codec from the two mappings between the event and its number.</summary>
    public DecimalCodec(Func<T, long> toNumber, Func<long, T> fromNumber)
    {
        _toNumber = toNumber;
        _fromNumber = fromNumber;
    }

    /// <inheritdoc />
    public void Encode(T value, IBufferWriter<byte> payload)
    {
        var span = payload.GetSpan(20);
        Utf8Formatter.TryFormat(_toNumber(value), span, out var written);
        payload.Advance(written);
    }

    /// <inheritdoc />
    public T Decode(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (!Utf8Parser.TryParse(span, out long number, out var consumed) || consumed != span.Length || span.Length == 0)
            throw new FormatException($"expected an ASCII decimal integer, got {span.Length} byte(s) that are not one");
        return _fromNumber(number);
    }
}
