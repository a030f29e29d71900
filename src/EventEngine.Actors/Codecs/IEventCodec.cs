using System.Buffers;

namespace EventEngine.Actors.Codecs;

/// <summary>
/// Turns one event type into payload bytes and back. The payload is what follows the event type's
/// filter in the single zmq frame of the wire protocol; the codec never sees the filter.
/// </summary>
/// <typeparam name="T">The event type.</typeparam>
public interface IEventCodec<T> where T : notnull
{
    /// <summary>Writes the payload of <paramref name="value"/>.</summary>
    void Encode(T value, IBufferWriter<byte> payload);

    /// <summary>Reads an event from its payload. Throws when the bytes are not a valid payload.</summary>
    T Decode(ReadOnlyMemory<byte> payload);
}
