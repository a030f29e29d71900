using System.Diagnostics;
using Akka.Event;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// One published event on its way to subscribers. One instance is shared by every subscriber of the
/// publication; each takes one credit of <see cref="Credit"/> (taken by the router) and gives it back through
/// <see cref="Settle()"/> (or <see cref="Settle(CreditReturns)"/>, in a batch), the one place a delivery's credit is returned.
/// </summary>
/// <remarks>
/// Small on purpose (three references): one is allocated per publication, and a window of them lives in mailboxes.
/// One whose frame is read (it came as a frame, or its route has the wire or a subscriber that reads frames) keeps its
/// frame, encoded once (<see cref="WithFrame"/>); a traced publication, or one from another cluster node, is a
/// <see cref="WithOrigin"/> (<see cref="Create"/>).
/// </remarks>
internal class Delivery : IDeadLetterSuppression
{
    public Delivery(object @event, EventType? type, CreditWindow credit)
    {
        Event = @event;
        Type = type;
        Credit = credit;
    }

    /// <summary>The event: an instance of <see cref="Type"/>'s C# type, or a <see cref="RawEvent"/>.</summary>
    public object Event { get; }

    /// <summary>The registered event type, or null for a raw frame.</summary>
    public EventType? Type { get; }

    /// <summary>The window of the source this delivery counts against.</summary>
    public CreditWindow Credit { get; }

    /// <summary>
    /// A delivery of <paramref name="event"/>, with its publish span and origin when it has them, keeping its frame
    /// when it has one or <paramref name="keepFrame"/> says it will be read.
    /// </summary>
    public static Delivery Create(object @event, EventType? type, CreditWindow credit, byte[]? frame = null,
        Activity? traceParent = null, bool fromOtherNode = false, bool keepFrame = false) =>
        traceParent is not null || fromOtherNode ? new WithOrigin(@event, type, credit, frame, traceParent, fromOtherNode)
        : frame is not null || keepFrame ? new WithFrame(@event, type, credit, frame)
        : new Delivery(@event, type, credit);

    /// <summary>
    /// True for an event another cluster node sent: it is delivered on this node only, never sent on to a third node.
    /// </summary>
    public virtual bool FromOtherNode => false;

    /// <summary>The publish span this delivery belongs to (null when nobody traces).</summary>
    public virtual Activity? TraceParent => null;

    /// <summary>
    /// One subscriber is done with the event (handled, failed, dropped or never to be handled): returns its credit.
    /// Called exactly once per subscriber; for an async handler, when its task has completed.
    /// </summary>
    public void Settle() => Credit.Return();

    /// <summary>As <see cref="Settle()"/>, the credit held in <paramref name="returns"/> to go back with others.</summary>
    public void Settle(CreditReturns returns) => returns.Add(Credit);

    /// <summary>
    /// The wire frame: a raw event's own bytes, else encoded; a <see cref="WithFrame"/> encodes it at most once (racing
    /// encoders produce identical bytes), a plain delivery each time it is read (nobody on its route reads it).
    /// </summary>
    public virtual byte[] Frame => (Event as RawEvent)?.Frame ?? Type!.EncodeFrame(Event);

    public override string ToString() => $"Delivery({Type?.Name ?? "raw"}: {Event})";

    /// <summary>A delivery that keeps its frame (given, or encoded when first read).</summary>
    private class WithFrame(object @event, EventType? type, CreditWindow credit, byte[]? frame) : Delivery(@event, type, credit)
    {
        private byte[]? _frame = frame;

        public override byte[] Frame => _frame ??= base.Frame;
    }

    /// <summary>A delivery that carries a publish span or comes from another cluster node (and keeps its frame).</summary>
    private sealed class WithOrigin(object @event, EventType? type, CreditWindow credit, byte[]? frame, Activity? traceParent, bool fromOtherNode)
        : WithFrame(@event, type, credit, frame)
    {
        public override bool FromOtherNode => fromOtherNode;

        public override Activity? TraceParent => traceParent;
    }
}
