using System.Buffers;

namespace EventEngine.Actors.Sockets;

/// <summary>
/// A byte queue on an array rented from <see cref="ArrayPool{T}"/>: bytes are appended at the end (or received straight
/// into <see cref="FreeSpace"/>) and consumed from the start. It grows only as far as its owner lets it (the owner checks
/// every size it reads from a peer before asking for room) and gives a large array back once it is empty again.
/// One thread at a time.
/// </summary>
internal sealed class PooledBuffer : IDisposable
{
    private const int InitialSize = 4096;
    private const int KeepAtMost = 64 * 1024;
    private byte[] _array = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;

    public int Length => _end - _start;

    public ReadOnlySpan<byte> Data => _array.AsSpan(_start, _end - _start);

    /// <summary>Room for at least <paramref name="size"/> more bytes; <see cref="Advance"/> by what was written there.</summary>
    public Span<byte> FreeSpace(int size)
    {
        Reserve(size);
        return _array.AsSpan(_end);
    }

    public void Advance(int count) => _end += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(FreeSpace(bytes.Length));
        _end += bytes.Length;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start < _end) return;
        _start = _end = 0;
        if (_array.Length <= KeepAtMost) return;
        ArrayPool<byte>.Shared.Return(_array);
        _array = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    private void Reserve(int size)
    {
        if (_array.Length - _end >= size) return;
        var length = Length;
        if (_array.Length - length >= size)
        {
            _array.AsSpan(_start, length).CopyTo(_array);
        }
        else
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, length + size));
            _array.AsSpan(_start, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }
        _start = 0;
        _end = length;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        _start = _end = 0;
    }
}
