using Akka.Actor;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// Runs continuations of a plugin's async code as messages in the plugin's own mailbox, so an awaiting plugin
/// (for example a producer paused by <see cref="EventPlugin.PublishAsync{T}"/>) keeps handling its events
/// meanwhile and no thread ever blocks. Code between awaits runs one message at a time, as actor code does.
/// An async handler run is a context of its own (<see cref="HandlerRun"/>), so each continuation brings its run back.
/// </summary>
internal class ActorSynchronizationContext : SynchronizationContext
{
    private readonly IActorRef _self;

    public ActorSynchronizationContext(IActorRef self) => _self = self;

    /// <summary>The plugin whose mailbox the continuations go to.</summary>
    protected IActorRef Self => _self;

    public override void Post(SendOrPostCallback callback, object? state) => _self.Tell(new Continuation(this, callback, state), ActorRefs.NoSender);

    public override void Send(SendOrPostCallback callback, object? state) =>
        throw new NotSupportedException("a plugin's synchronization context runs continuations asynchronously only");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="action"/> with this context as the current one.</summary>
    public void Run(Action action) => Run(() =>
    {
        action();
        return true;
    });

    /// <summary>Runs <paramref name="function"/> with this context as the current one.</summary>
    public T Run<T>(Func<T> function)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return function();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    internal sealed record Continuation(ActorSynchronizationContext Context, SendOrPostCallback Callback, object? State)
    {
        public void Run() => Context.Run(() => Callback(State));
    }
}
