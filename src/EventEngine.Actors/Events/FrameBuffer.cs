using System.Buffers;

namespace EventEngine.Actors.Events;

/// <summary>
/// The buffer a thread encodes frames into, kept between frames: an encode then allocates only the frame's exact
/// bytes, instead of a writer that grows (and is cleared) from a few dozen bytes for every frame.
/// </summary>
internal static class FrameBuffer
{
    // A buffer that grew past this for one large frame is left to the GC rather than kept per thread.
    private const int KeepUpTo = 64 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? _free;

    /// <summary>An empty buffer for this thread; a codec that encodes inside an encode gets one of its own.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = _free ?? new ArrayBufferWriter<byte>(1024);
        _free = null;
        return buffer;
    }

    /// <summary>Gives a rented buffer back; what it held is not read again.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > KeepUpTo) return;
        buffer.ResetWrittenCount();
        _free = buffer;
    }
}
