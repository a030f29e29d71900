using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Gateway;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// An external plugin's session as the routing table sees it: deliveries go into the session's inbox on the caller's
/// thread, the queue policy applied there; anything else, and watching, reaches the session actor.
/// </summary>
public class SessionSubscriberTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string Dropped = "event_engine.events.dropped";
    private readonly EngineMetrics _metrics = new("session-subscriber-tests");
    private readonly MetricsRecorder _recorder;
    private readonly CreditWindow _source = new("producer", highWaterMark: 1_000_000, lowWaterMark: 1);

    public SessionSubscriberTests() => _recorder = new MetricsRecorder(_metrics);

    [Fact]
    public void It_is_the_session_to_whoever_compares_watches_or_tells_it_anything_but_a_delivery()
    {
        var session = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), "Py");
        var (subscriber, inbox) = Subscriber(session, QueueOverflow.Backpressure);

        Assert.Equal(session, subscriber);
        Assert.Equal(session.GetHashCode(), subscriber.GetHashCode());
        subscriber.Tell("not a delivery", TestActor);
        ExpectMsg("not a delivery");

        subscriber.Tell(Deliver(), ActorRefs.NoSender);
        Assert.Equal(1, inbox.Count); // into the inbox at once, on this thread: the session never saw it
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Watch(subscriber);
        Sys.Stop(session);
        ExpectTerminated(session);
    }

    [Fact]
    public void Once_closed_it_releases_what_is_queued_and_drops_every_later_delivery_with_the_reason()
    {
        var (subscriber, inbox) = Subscriber(ActorRefs.Nobody, QueueOverflow.Backpressure);
        for (var i = 0; i < 3; i++) subscriber.Offer(Deliver());
        Assert.Equal(3, _source.InFlight);

        subscriber.Close("plugin-finished");
        subscriber.Close("engine-stopped"); // the first reason stays
        Assert.Equal(3, inbox.ReleaseQueued());
        subscriber.Offer(Deliver());

        Assert.Equal(0, inbox.Count);
        Assert.Equal(0, _source.InFlight);
        Assert.Equal(1, _recorder.Sum(Dropped, "reason", "plugin-finished"));
        Assert.Equal(0, _recorder.Sum(Dropped, "reason", "engine-stopped"));
    }

    [Fact]
    public void Deliveries_that_race_a_close_leave_nothing_queued_and_return_every_credit()
    {
        var (subscriber, inbox) = Subscriber(ActorRefs.Nobody, QueueOverflow.Backpressure);
        const int publishers = 4, each = 20_000;
        using var halfway = new CountdownEvent(publishers);
        var threads = Enumerable.Range(0, publishers).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < each; i++)
            {
                subscriber.Offer(Deliver());
                if (i == each / 2) halfway.Signal();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.True(halfway.Wait(TimeSpan.FromSeconds(30)));
        subscriber.Close("plugin-finished"); // as the session does: close, then release what is queued
        var released = inbox.ReleaseQueued();
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));

        Assert.Equal(0, inbox.Count);
        Assert.Equal(0, _source.InFlight);
        Assert.Equal(publishers * each, released + _recorder.Sum(Dropped, "reason", "plugin-finished"));
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_or_the_newest_as_its_policy_says()
    {
        var (oldest, oldestInbox) = Subscriber(ActorRefs.Nobody, QueueOverflow.DropOldest, maxQueue: 2);
        var first = Deliver("a");
        oldest.Offer(first);
        oldest.Offer(Deliver("b"));
        oldest.Offer(Deliver("c"));
        Assert.Equal(["b", "c"], Drain(oldestInbox));

        var (newest, newestInbox) = Subscriber(ActorRefs.Nobody, QueueOverflow.DropNewest, maxQueue: 2);
        foreach (var e in new[] { "a", "b", "c" }) newest.Offer(Deliver(e));
        Assert.Equal(["a", "b"], Drain(newestInbox));

        Assert.Equal(2, _recorder.Sum(Dropped, "reason", "queue-full"));
        Assert.Equal(4, _source.InFlight); // the four queued; the two dropped gave their credit back
    }

    [Fact]
    public void A_full_queue_under_drop_and_finish_closes_and_tells_the_session()
    {
        var (subscriber, inbox) = Subscriber(TestActor, QueueOverflow.DropAndFinish, maxQueue: 2);
        for (var i = 0; i < 4; i++) subscriber.Offer(Deliver());

        ExpectMsg<QueueOverflowed>();
        Assert.Equal("queue-full", subscriber.ClosedFor);
        Assert.Equal(2, inbox.Count); // the session releases those when it ends
        Assert.Equal(2, _recorder.Sum(Dropped, "reason", "queue-full"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // told once
    }

    private (SessionSubscriber Subscriber, SessionInbox Inbox) Subscriber(IActorRef session, QueueOverflow onFull, int maxQueue = 1000)
    {
        var inbox = new SessionInbox(new CreditWindow("Py", 1000, 10), maxQueue);
        var policy = new QueuePolicy(maxQueue, onFull, TimeSpan.FromSeconds(30), DisconnectPolicy.KeepQueueing);
        return (new SessionSubscriber(session, inbox, policy, _metrics, Logging.GetLogger(Sys, "test"), "Py"), inbox);
    }

    private Delivery Deliver(string text = "event")
    {
        _source.Take(1);
        return Delivery.Create(text, null, _source);
    }

    private static List<string> Drain(SessionInbox inbox)
    {
        var events = new List<string>();
        while (inbox.TryTake(out var delivery)) events.Add((string)delivery.Event);
        return events;
    }

    void IDisposable.Dispose()
    {
        _recorder.Dispose();
        _metrics.Dispose();
        base.Dispose();
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }
}
