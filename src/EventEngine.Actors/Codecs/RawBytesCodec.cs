using System.Buffers;

namespace EventEngine.Actors.Codecs;

/// <summary>The payload is opaque bytes, handed to and taken from the event as they are.</summary>
public sealed class RawBytesCodec<T> : IEventCodec<T> where T : notnull
{
    private readonly Func<T, ReadOnlyMemory<byte>> _toBytes;
    private readonly Func<byte[], T> _fromBytes;

    /// <summary>Creates the codec from the two mappings between the event and its bytes.</summary>
    public RawBytesCodec(Func<T, ReadOnlyMemory<byte>> toBytes, Func<byte[], T> fromBytes)
    {
        _toBytes = toBytes;
        _fromBytes = fromBytes;
    }

    /// <inheritdoc />
    public void Encode(T value, IBufferWriter<byte> payload) => payload.Write(_toBytes(value).Span);

    /// <inheritdoc />
    public T Decode(ReadOnlyMemory<byte> payload) => _fromBytes(payload.ToArray());
}
