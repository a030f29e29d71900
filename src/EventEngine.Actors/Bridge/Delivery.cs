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
/// Small on purpose (four references): one is allocated per publication, and a window of them lives in mailboxes. A
/// traced publication, or one from another cluster node, is a <see cref="WithOrigin"/> (<see cref="Create"/>).
/// </remarks>
internal class Delivery : IDeadLetterSuppression
{
    private byte[]? _frame;

    public Delivery(object @event, EventType? type, CreditWindow credit, byte[]? frame = null)
    {
        Event = @event;
        Type = type;
        Credit = credit;
        _frame = frame ?? (@event as RawEvent)?.Frame;
    }

    /// <summary>The event: an instance of <see cref="Type"/>'s C# type, or a <see cref="RawEvent"/>.</summary>
    public object Event { get; }

    /// <summary>The registered event type, or null for a raw frame.</summary>
    public EventType? Type { get; }

    /// <summary>The window of the source this delivery counts against.</summary>
    public CreditWindow Credit { get; }

    /// <summary>A delivery of <paramref name="event"/>, with its publish span and origin when it has them.</summary>
    public static Delivery Create(object @event, EventType? type, CreditWindow credit, byte[]? frame = null,
        Activity? traceParent = null, bool fromOtherNode = false) =>
        traceParent is null && !fromOtherNode
            ? new Delivery(@event, type, credit, frame)
            : new WithOrigin(@event, type, credit, frame, traceParent, fromOtherNode);

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

    /// <summary>The wire frame, encoded at most once (racing encoders produce identical bytes).</summary>
    public byte[] Frame => _frame ??= Type!.EncodeFrame(Event);

    public override string ToString() => $"Delivery({Type?.Name ?? "raw"}: {Event})";

    /// <summary>A delivery that carries a publish span or comes from another cluster node.</summary>
    private sealed class WithOrigin(object @event, EventType? type, CreditWindow credit, byte[]? frame, Activity? traceParent, bool fromOtherNode)
        : Delivery(@event, type, credit, frame)
    {
        public override bool FromOtherNode => fromOtherNode;

        public override Activity? TraceParent => traceParent;
    }
}
