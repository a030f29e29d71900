using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// The mailbox of every plugin (<c>event-engine.plugin-mailbox</c>): Akka's unbounded deque-based mailbox, which the
/// stash needs, with one difference. A plugin asks whether more mail is waiting after every message it handles (it
/// returns its held credits before it goes idle, <see cref="FlowControl.CreditReturns"/>), and Akka's deque wrapper
/// answers with the queue's <see cref="ConcurrentQueue{T}.Count"/>, which rereads the queue's head and tail until they
/// hold still while publishers on other cores keep moving the tail (measured: 5% of a pipeline's processor time, and
/// its publishers' sends slowed by it); this one reads <see cref="ConcurrentQueue{T}.IsEmpty"/>.
/// </summary>
internal sealed class PluginMailbox : MailboxType, IProducesMessageQueue<PluginMessageQueue>
{
    /// <summary>Where the engine's reference configuration declares it.</summary>
    public const string ConfigPath = "event-engine.plugin-mailbox";

    public PluginMailbox(Settings settings, Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new PluginMessageQueue();
}

/// <summary>A concurrent queue of mail and, in front of it, what the stash put back (touched by the actor only).</summary>
internal sealed class PluginMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly ConcurrentQueue<Envelope> _queue = new();
    private readonly Stack<Envelope> _putBack = new();

    public bool HasMessages => _putBack.Count > 0 || !_queue.IsEmpty;

    public int Count => _queue.Count + _putBack.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope) => _queue.Enqueue(envelope);

    /// <summary>Puts <paramref name="envelope"/> in front of the mail (the stash unstashing).</summary>
    public void EnqueueFirst(Envelope envelope) => _putBack.Push(envelope);

    public bool TryDequeue(out Envelope envelope) => _putBack.TryPop(out envelope) || _queue.TryDequeue(out envelope);

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }
}
