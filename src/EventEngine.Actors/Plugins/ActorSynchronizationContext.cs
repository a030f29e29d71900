using Akka.Actor;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// Runs continuations of a plugin's async code as messages in the plugin's own mailbox, so an awaiting plugin
/// (for example a producer paused by <see cref="EventPlugin.PublishAsync{T}"/>) keeps handling its events
/// meanwhile and no thread ever blocks. Code between awaits runs one message at a time, as actor code does.
/// A context made for one async handler run brings the run back with each continuation, so what the handler
/// publishes counts against its delivery's source (several runs may interleave with <c>max-concurrency</c> above 1).
/// </summary>
internal sealed class ActorSynchronizationContext : SynchronizationContext
{
    private readonly IActorRef _self;

    public ActorSynchronizationContext(IActorRef self, HandlerRun? run = null)
    {
        _self = self;
        HandlerRun = run;
    }

    /// <summary>The async handler run this context resumes, if any.</summary>
    public HandlerRun? HandlerRun { get; }

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
