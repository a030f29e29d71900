using EventEngine.Actors.Bridge;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Remembers what the test itself published (the frame, or the event instance when the codec round trip is off),
/// so the test subscriber can leave it out of what the plugins published. Each injection is consumed once: the
/// test subscriber sees an injection before any plugin can react to it, so a plugin that republishes the same
/// instance is still recorded.
/// </summary>
internal sealed class InjectionTracker
{
    private readonly Dictionary<object, int> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _pendingContent = new();
    private int _pendingFrames;

    public void Add(object key)
    {
        lock (_pending)
        {
            _pending[key] = _pending.GetValueOrDefault(key) + 1;
            if (key is byte[]) _pendingFrames++;
        }
    }

    /// <summary>A frame sent over TCP arrives as a new array: it is recognised by its bytes.</summary>
    public void AddContent(byte[] frame)
    {
        var key = Convert.ToBase64String(frame);
        lock (_pending)
        {
            _pendingContent[key] = _pendingContent.GetValueOrDefault(key) + 1;
            _pendingFrames++;
        }
    }

    public bool TryConsume(Delivery delivery)
    {
        lock (_pending)
        {
            if (Consume(delivery.Event)) return true;
            if (_pendingFrames == 0) return false;
        }
        byte[] frame;
        try
        {
            frame = delivery.Frame; // injected frames are set on the delivery; nothing is encoded for them
        }
        catch (Exception)
        {
            return false;
        }
        lock (_pending)
        {
            if (Consume(frame)) return true;
            if (_pendingContent.Count == 0) return false;
            var key = Convert.ToBase64String(frame);
            if (!_pendingContent.TryGetValue(key, out var count)) return false;
            if (count == 1) _pendingContent.Remove(key);
            else _pendingContent[key] = count - 1;
            _pendingFrames--;
            return true;
        }
    }

    private bool Consume(object key)
    {
        if (!_pending.TryGetValue(key, out var count)) return false;
        if (count == 1) _pending.Remove(key);
        else _pending[key] = count - 1;
        if (key is byte[]) _pendingFrames--;
        return true;
    }
}
