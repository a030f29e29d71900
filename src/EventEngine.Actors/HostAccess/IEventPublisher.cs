namespace EventEngine.Actors.HostAccess;

/// <summary>Publishes events from host code (an ASP.NET endpoint, a BackgroundService) into the engine. Inject it.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes <paramref name="event"/> once the host's flow-control window has room: while subscribers are behind
    /// (their deliveries in flight at the high-water mark), the caller waits, without a thread and without buffering.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting; nothing was published.</exception>
    ValueTask PublishAsync<T>(T @event, CancellationToken cancellationToken = default) where T : notnull;
}

/// <summary>Subscribes host code to the engine's events. Inject it.</summary>
public interface IEventSubscriber
{
    /// <summary>
    /// Subscribes to events of type <typeparamref name="T"/>; completes once the subscription is active (every event
    /// published from then on is in it). Read it with <c>await foreach</c>; dispose it to unsubscribe. An event's
    /// flow-control credit returns when the reader asks for the next one, so a reader that falls behind pauses the
    /// producers, as a slow plugin does: memory stays bounded by their windows and nothing is lost.
    /// </summary>
    Task<EventSubscription<T>> SubscribeAsync<T>(CancellationToken cancellationToken = default) where T : notnull;
}
