using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using EventEngine.Actors.Bridge;

namespace EventEngine.Actors.HostAccess;

/// <summary>
/// Host code's subscription to events of type <typeparamref name="T"/> (from <see cref="IEventSubscriber.SubscribeAsync{T}"/>).
/// Enumerate it once; dispose it to unsubscribe (events still queued are settled, so no producer stays paused).
/// </summary>
public sealed class EventSubscription<T> : IAsyncEnumerable<T>, IAsyncDisposable where T : notnull
{
    private readonly Channel<Delivery> _queue;
    private readonly IActorRef _subscriber;
    private int _enumerated;
    private int _disposed;

    internal EventSubscription(Channel<Delivery> queue, IActorRef subscriber)
    {
        _queue = queue;
        _subscriber = subscriber;
    }

    /// <summary>Events received and not yet read (each holds its producer's credit).</summary>
    public int Pending => _queue.Reader.Count;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The subscription is enumerated a second time.</exception>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) == 1)
            throw new InvalidOperationException($"a subscription to {typeof(T).Name} is read once; subscribe again for another reader");
        return Read(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return ValueTask.CompletedTask;
        _subscriber.Tell(PoisonPill.Instance); // unsubscribes (the bridge watches it); later deliveries reach dead letters, settled there
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var delivery)) delivery.Settle();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<T> Read([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_queue.Reader.TryRead(out var delivery))
            {
                try
                {
                    yield return (T)delivery.Event;
                }
                finally
                {
                    delivery.Settle(); // the reader asked for the next one (or stopped): this event is handled
                }
            }
        }
    }
}

/// <summary>The actor behind an <see cref="EventSubscription{T}"/>: subscribed through the bridge, it queues deliveries of T.</summary>
internal sealed class HostSubscriber : ReceiveActor
{
    private readonly IActorRef _bridge;
    private readonly byte[] _prefix;

    public HostSubscriber(IActorRef bridge, byte[] prefix, Type eventType, ChannelWriter<Delivery> queue, TaskCompletionSource active)
    {
        _bridge = bridge;
        _prefix = prefix;
        Receive<Delivery>(delivery =>
        {
            // A longer filter of another type may share the prefix: only T's events are queued.
            if (eventType.IsInstanceOfType(delivery.Event) && queue.TryWrite(delivery)) return;
            delivery.Settle();
        });
        Receive<SubscriptionsActive>(_ => active.TrySetResult());
    }

    protected override void PreStart() => _bridge.Tell(new Subscribe(Self, [_prefix]), Self);
}
