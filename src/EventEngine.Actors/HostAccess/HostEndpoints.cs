using System.Threading.Channels;
using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.HostAccess;

/// <summary>The engine's <see cref="IEventPublisher"/> and <see cref="IEventSubscriber"/> for host code.</summary>
internal sealed class HostEndpoints : IEventPublisher, IEventSubscriber
{
    private readonly EventEngine _engine;
    private readonly CreditWindow _credit;

    public HostEndpoints(EventEngine engine, CreditWindow credit)
    {
        _engine = engine;
        _credit = credit;
    }

    public async ValueTask PublishAsync<T>(T @event, CancellationToken cancellationToken = default) where T : notnull
    {
        var type = _engine.Events.Get<T>(); // an unknown type fails here, before waiting
        if (!_credit.HasRoom) await _credit.WhenRoom().WaitAsync(cancellationToken);
        _engine.Router.Publish(type, @event, _credit);
    }

    public async Task<EventSubscription<T>> SubscribeAsync<T>(CancellationToken cancellationToken = default) where T : notnull
    {
        var prefix = _engine.Events.Get<T>().Filter;
        var queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });
        var active = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = _engine.System.ActorOf(Props.Create(() => new HostSubscriber(_engine.Bridge, prefix, typeof(T), queue.Writer, active)));
        var subscription = new EventSubscription<T>(queue, subscriber);
        try
        {
            await active.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }
        return subscription;
    }
}
