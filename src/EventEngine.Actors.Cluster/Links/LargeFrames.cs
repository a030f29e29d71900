using EventEngine.Actors.Bridge;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// A link's frames too large for a batch: the one being sent in parts (one at a time, so the receiver puts together
/// one frame per peer), and the events that must wait until its last part is sent to keep their source's order:
/// those of its source (their credit window) and of every source that already has an event waiting. Events of other
/// sources do not wait: they go on in batches between the parts.
/// </summary>
internal sealed class LargeFrames
{
    private readonly Queue<Delivery> _waiting = new();
    private readonly HashSet<CreditWindow> _waitingSources = new();
    private Delivery? _sending;
    private byte[] _frame = [];
    private int _sent;
    private int _parts;

    /// <summary>True while a frame is being sent in parts.</summary>
    public bool Sending => _sending is not null;

    /// <summary>Queues <paramref name="delivery"/> if it must wait for the frame being sent; false if it may go on.</summary>
    public bool Holds(Delivery delivery)
    {
        if (_sending is null || (!ReferenceEquals(delivery.Credit, _sending.Credit) && !_waitingSources.Contains(delivery.Credit)))
            return false;
        Wait(delivery);
        return true;
    }

    /// <summary>Queues <paramref name="delivery"/> behind the frame being sent (a large one itself, say).</summary>
    public void Wait(Delivery delivery)
    {
        _waiting.Enqueue(delivery);
        _waitingSources.Add(delivery.Credit);
    }

    /// <summary>Starts sending <paramref name="frame"/> (of <paramref name="delivery"/>) in parts.</summary>
    public void Start(Delivery delivery, byte[] frame)
    {
        (_sending, _frame, _sent, _parts) = (delivery, frame, 0, 0);
    }

    /// <summary>
    /// The next part, of at most <paramref name="partSize"/> bytes, as message <paramref name="sequence"/>. After the
    /// last part, <paramref name="done"/> is the delivery it carried and nothing is being sent any more.
    /// </summary>
    public NodeFramePart NextPart(long sequence, int partSize, out Delivery? done)
    {
        var length = Math.Min(partSize, _frame.Length - _sent);
        var part = new NodeFramePart(sequence, _parts++, _frame.Length, _frame.AsMemory(_sent, length));
        _sent += length;
        done = null;
        if (_sent == _frame.Length)
        {
            done = _sending;
            (_sending, _frame) = (null, []);
        }
        return part;
    }

    /// <summary>The events that waited, in order, to be carried again (some may wait again, behind the next large one).</summary>
    public Delivery[] TakeWaiting()
    {
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        _waitingSources.Clear();
        return waiting;
    }

    /// <summary>Forgets everything: returns the events held (the one being sent first), to be dropped.</summary>
    public IEnumerable<Delivery> Clear()
    {
        var held = (_sending is null ? [] : new[] { _sending }).Concat(TakeWaiting()).ToList();
        (_sending, _frame) = (null, []);
        return held;
    }
}
