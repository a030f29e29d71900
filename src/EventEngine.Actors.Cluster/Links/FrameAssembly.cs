namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// Puts one peer's <see cref="NodeFramePart"/>s back together into whole frames. The peer is untrusted: a part that
/// does not continue the frame before it, that would carry the frame past its declared length, or that starts a frame
/// larger than <c>maxFrameLength</c> is refused, and so is the rest of that frame (its later parts are skipped); the
/// buffer grows with the bytes that have arrived, never to a declared length before they have.
/// </summary>
internal sealed class FrameAssembly(long maxFrameLength)
{
    private byte[] _buffer = [];
    private int _received;
    private int _nextIndex;
    private int _frameLength;
    private bool _skipping;

    /// <summary>True while part of a frame has arrived, and not the rest.</summary>
    public bool HalfReceived => _nextIndex > 0 && !_skipping;

    /// <summary>
    /// Adds <paramref name="part"/>. Returns the whole frame when this was its last part, else null. A frame it did
    /// not finish is <paramref name="abandoned"/> (a new one began: counted by the caller); a refused part names what
    /// was wrong in <paramref name="refusal"/>.
    /// </summary>
    public byte[]? Add(NodeFramePart part, out bool abandoned, out string? refusal)
    {
        refusal = null;
        abandoned = false;
        if (part.Index == 0)
        {
            abandoned = HalfReceived;
            Start(part.FrameLength);
            if (part.FrameLength > maxFrameLength)
                return Refuse($"a frame of {part.FrameLength} bytes is larger than this node's limit, event-engine.wire.max-message-size ({maxFrameLength} bytes)", out refusal);
        }
        else if (_skipping)
        {
            return null; // the rest of a frame already refused
        }
        else if (part.Index != _nextIndex || part.FrameLength != _frameLength)
        {
            return Refuse(_nextIndex == 0
                ? $"part {part.Index} of a frame whose part 0 never came"
                : $"part {part.Index} (of a frame of {part.FrameLength} bytes) where part {_nextIndex} of a frame of {_frameLength} bytes was due", out refusal);
        }
        if ((long)_received + part.Bytes.Length > _frameLength)
            return Refuse($"part {part.Index} brings the frame to {(long)_received + part.Bytes.Length} bytes, more than the {_frameLength} it declared", out refusal);
        if (_received + part.Bytes.Length > _buffer.Length)
            Array.Resize(ref _buffer, (int)Math.Min(_frameLength, Math.Max(2L * _buffer.Length, _received + part.Bytes.Length)));
        part.Bytes.Span.CopyTo(_buffer.AsSpan(_received));
        _received += part.Bytes.Length;
        _nextIndex++;
        if (_received < _frameLength) return null;
        var frame = _buffer;
        Start(0);
        return frame;
    }

    private void Start(int frameLength)
    {
        _buffer = [];
        _received = 0;
        _nextIndex = 0;
        _frameLength = frameLength;
        _skipping = false;
    }

    private byte[]? Refuse(string what, out string refusal)
    {
        Start(0);
        _skipping = true;
        refusal = what;
        return null;
    }
}
