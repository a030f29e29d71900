using EventEngine.Actors.Bridge;
using EventEngine.Actors.FlowControl;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// A plugin's async handler slots on their own: at most max-concurrency runs, the rest wait in order, each delivery's
/// credit is returned exactly once when its run ends, and a failure is reported only for the current plugin instance.
/// </summary>
public class AsyncHandlerRunsTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly CreditWindow _credit = new("test", highWaterMark: 100, lowWaterMark: 50);
    private readonly CancellationTokenSource _instance = new();

    private Delivery NewDelivery(int n)
    {
        _credit.Take(1);
        return new Delivery(new Ping(n), null, _credit);
    }

    private static Handler Returning(Func<Task> task) => Handler.Async<Ping>((_, _) => task());

    protected override void Dispose(bool disposing)
    {
        _instance.Dispose();
        base.Dispose(disposing);
    }

    [Fact]
    public void Runs_beyond_max_concurrency_wait_in_order_and_start_as_slots_free()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 2);
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        Assert.False(runs.MustWait);
        var run1 = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Returning(() => first.Task));
        Assert.False(runs.MustWait);
        runs.Start(TestActor, NewDelivery(2), span: null, _instance, Returning(() => second.Task));
        Assert.Equal(2, runs.Running);
        Assert.True(runs.MustWait);
        Assert.False(runs.HoldsOtherMessages); // with more than one slot, other messages are not held
        runs.Wait(NewDelivery(3));
        runs.Wait(NewDelivery(4));
        Assert.False(runs.TryNext(out _));

        first.SetResult();
        Assert.Same(run1, ExpectMsg<HandlerRunEnded>().Run); // completed outside the actor: the actor is told
        Assert.Null(runs.End(run1, _instance));
        Assert.Equal(3, _credit.InFlight); // run 1's credit is back
        Assert.Equal(1, runs.Running);
        Assert.True(runs.TryNext(out var next));
        Assert.Equal(new Ping(3), next.Event);
        Assert.True(runs.MustWait); // delivery 4 still waits: later ones queue behind it
        Assert.Equal(new[] { new Ping(4) }, runs.TakeWaiting().Select(d => d.Event));
        Assert.Empty(runs.TakeWaiting());
        Assert.False(runs.MustWait);
    }

    [Fact]
    public void A_runs_end_returns_its_credit_exactly_once()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 1);
        var pending = new TaskCompletionSource();
        var run = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Returning(() => pending.Task));
        Assert.True(runs.HoldsOtherMessages); // ReceiveAsync semantics with one slot
        Assert.Null(runs.End(run, _instance)); // not completed yet: nothing happens
        Assert.Equal(1, _credit.InFlight);
        Assert.False(run.Ended);
        pending.SetResult();
        ExpectMsg<HandlerRunEnded>();
        runs.End(run, _instance);
        runs.End(run, _instance);
        Assert.True(run.Ended);
        Assert.Equal(0, _credit.InFlight);
        Assert.Equal(0, runs.Running);
        Assert.False(runs.HoldsOtherMessages);
    }

    [Fact]
    public void A_failing_run_reports_its_own_exception_and_a_synchronous_throw_counts_as_a_failed_run()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 3);
        var failed = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Returning(() => Task.FromException(new InvalidOperationException("bad event"))));
        var thrown = runs.Start(TestActor, NewDelivery(2), span: null, _instance, Returning(() => throw new FormatException("threw at once")));
        var afterYield = runs.Start(TestActor, NewDelivery(3), span: null, _instance, Handler.Async<Ping>(async (_, _) =>
        {
            await Task.Yield(); // resumes inline, within Start
            throw new ArgumentException("threw after an await");
        }));
        Assert.Equal("bad event", Assert.IsType<InvalidOperationException>(runs.End(failed, _instance)).Message);
        Assert.Equal("threw at once", Assert.IsType<FormatException>(runs.End(thrown, _instance)).Message);
        Assert.Equal("threw after an await", Assert.IsType<ArgumentException>(runs.End(afterYield, _instance)).Message);
        Assert.Equal(0, _credit.InFlight);
        Assert.Equal(0, runs.Running);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // completed inside Start: no message needed
    }

    [Fact]
    public void A_run_of_an_instance_that_has_since_restarted_is_settled_but_neither_takes_a_slot_nor_fails()
    {
        var failing = new TaskCompletionSource();
        var oldRun = new AsyncHandlerRuns(maxConcurrency: 1).Start(TestActor, NewDelivery(1), span: null, _instance, Returning(() => failing.Task));
        using var restarted = new CancellationTokenSource();
        var runs = new AsyncHandlerRuns(maxConcurrency: 1); // the restarted instance's slots
        runs.Start(TestActor, NewDelivery(2), span: null, restarted, Returning(() => new TaskCompletionSource().Task));
        failing.SetException(new InvalidOperationException("late failure"));
        Assert.Same(oldRun, ExpectMsg<HandlerRunEnded>().Run);
        Assert.Null(runs.End(oldRun, restarted));
        Assert.Equal(1, _credit.InFlight); // the old run's credit is back; the running one's is not
        Assert.Equal(1, runs.Running);
    }

    [Fact]
    public void Awaits_that_resume_at_once_run_inline_and_a_yield_loop_goes_through_the_mailbox_past_the_budget()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 1);
        var steps = 0;
        var yieldingTwice = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Handler.Async<Ping>(async (_, _) =>
        {
            await Task.Yield();
            steps++;
            await Task.Yield();
            steps++;
        }));
        Assert.True(yieldingTwice.Task.IsCompletedSuccessfully); // both continuations ran within Start: no mailbox round trip
        Assert.Equal(2, steps);
        Assert.Null(runs.End(yieldingTwice, _instance));
        Assert.Equal(0, _credit.InFlight);

        var loops = 0;
        var looping = runs.Start(TestActor, NewDelivery(2), span: null, _instance, Handler.Async<Ping>(async (_, _) =>
        {
            for (var i = 0; i <= HandlerRun.InlineBudget; i++)
            {
                await Task.Yield();
                loops++;
            }
        }));
        Assert.Equal(HandlerRun.InlineBudget, loops); // the budget ran inline; the last continuation went to the mailbox
        var continuation = ExpectMsg<ActorSynchronizationContext.Continuation>();
        Assert.Same(looping, continuation.Context);
        Assert.False(looping.Task.IsCompleted);
        looping.Step(continuation.Callback, continuation.State); // what the plugin does with it
        Assert.True(looping.Task.IsCompletedSuccessfully);
        Assert.Null(runs.End(looping, _instance));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // completed in a step: no HandlerRunEnded
    }

    [Fact]
    public void An_await_that_resumes_outside_the_actor_comes_back_as_a_continuation_message()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 1);
        var gate = new TaskCompletionSource();
        var resumedInStep = false;
        var run = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Handler.Async<Ping>(async (_, _) =>
        {
            await gate.Task;
            resumedInStep = SynchronizationContext.Current is HandlerRun;
        }));
        Assert.False(run.Task.IsCompleted);
        gate.SetResult();
        var continuation = ExpectMsg<ActorSynchronizationContext.Continuation>();
        Assert.Same(run, continuation.Context);
        run.Step(continuation.Callback, continuation.State);
        Assert.True(resumedInStep);
        Assert.True(run.Task.IsCompletedSuccessfully);
        Assert.Null(runs.End(run, _instance));
        Assert.Equal(0, _credit.InFlight);
    }

    [Fact]
    public void A_run_that_ended_within_its_first_step_carries_the_next_delivery_with_none_of_the_previous_ones_state()
    {
        var runs = new AsyncHandlerRuns(maxConcurrency: 1);
        var yielded = runs.Start(TestActor, NewDelivery(1), span: null, _instance, Handler.Async<Ping>(async (_, _) => await Task.Yield()));
        Assert.Null(runs.End(yielded, _instance));
        Assert.Equal(0, _credit.InFlight);

        // The same object is used again (the allocation it saves is the point), for a delivery whose handler waits.
        var gate = new TaskCompletionSource();
        var waiting = runs.Start(TestActor, NewDelivery(2), span: null, _instance, Returning(() => gate.Task));
        Assert.Same(yielded, waiting);
        Assert.Equal(new Ping(2), waiting.Delivery.Event);
        Assert.False(waiting.Ended);
        Assert.False(waiting.Task.IsCompleted); // its own task, not the previous delivery's completed one
        Assert.Null(runs.End(waiting, _instance)); // so it does not end (nor settle) before its task has completed
        Assert.Equal(1, _credit.InFlight);
        Assert.True(runs.HoldsOtherMessages);

        gate.SetResult();
        Assert.Same(waiting, ExpectMsg<HandlerRunEnded>().Run); // its completion is watched, though the previous run's was not
        Assert.Null(runs.End(waiting, _instance));
        Assert.True(waiting.Ended);
        Assert.Equal(0, _credit.InFlight);
        Assert.Equal(0, runs.Running);

        // A run that waited may still be named by a message (its HandlerRunEnded above): it is not used again.
        var next = runs.Start(TestActor, NewDelivery(3), span: null, _instance, Handler.Async<Ping>(async (_, _) => await Task.Yield()));
        Assert.NotSame(waiting, next);
        Assert.Null(runs.End(next, _instance));
        Assert.Equal(0, _credit.InFlight);
    }
}
