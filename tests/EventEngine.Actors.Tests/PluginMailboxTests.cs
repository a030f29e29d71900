using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// The plugins' mailbox (<see cref="PluginMailbox"/>): the stash's deque semantics, a cheap emptiness check, and every
/// plugin running in it, on the default dispatcher and on one of its own.
/// </summary>
public class PluginMailboxTests : Akka.TestKit.Xunit2.TestKit
{
    public PluginMailboxTests() : base(TestConfig.Engine("""
        event-engine.plugins.own-dispatcher.dispatcher = "own-dispatcher"
        own-dispatcher { type = Dispatcher, throughput = 5 }
        """)) { }

    [Fact]
    public void Put_back_mail_comes_first_and_emptiness_and_count_cover_both_parts()
    {
        var queue = new PluginMessageQueue();
        Assert.False(queue.HasMessages);
        queue.Enqueue(TestActor, new Envelope("a", ActorRefs.NoSender));
        queue.Enqueue(TestActor, new Envelope("b", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed-2", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed-1", ActorRefs.NoSender)); // UnstashAll puts back the last one first
        Assert.True(queue.HasMessages);
        Assert.Equal(4, queue.Count);

        var order = new List<object>();
        while (queue.TryDequeue(out var envelope)) order.Add(envelope.Message);
        Assert.Equal(["stashed-1", "stashed-2", "a", "b"], order);
        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);

        queue.EnqueueFirst(new Envelope("stashed", ActorRefs.NoSender));
        Assert.True(queue.HasMessages); // put-back mail alone counts as mail
    }

    [Fact]
    public void What_is_left_at_clean_up_goes_to_dead_letters_in_order()
    {
        var queue = new PluginMessageQueue();
        queue.Enqueue(TestActor, new Envelope("a", ActorRefs.NoSender));
        queue.EnqueueFirst(new Envelope("stashed", ActorRefs.NoSender));
        var deadLetters = new UnboundedMessageQueue();
        queue.CleanUp(TestActor, deadLetters);
        Assert.False(queue.HasMessages);
        Assert.True(deadLetters.TryDequeue(out var first));
        Assert.True(deadLetters.TryDequeue(out var second));
        Assert.Equal(["stashed", "a"], new[] { first.Message, second.Message });
    }

    [Fact]
    public async Task Every_plugin_runs_in_it_whatever_its_dispatcher()
    {
        var queues = new Dictionary<string, TaskCompletionSource<Type>>
        {
            ["default-dispatcher"] = new(TaskCreationOptions.RunContinuationsAsynchronously),
            ["own-dispatcher"] = new(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        var engine = EventEngine.Start(Sys, e =>
        {
            foreach (var (name, queue) in queues) e.AddPlugin<QueueReporter>(name, queue);
        });
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        foreach (var (name, queue) in queues)
            Assert.Equal(typeof(PluginMessageQueue), await queue.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private sealed class QueueReporter : EventPlugin
    {
        public QueueReporter(TaskCompletionSource<Type> queue) => queue.TrySetResult(((ActorCell)Context).Mailbox!.MessageQueue.GetType()); // a running actor has its mailbox
    }
}
