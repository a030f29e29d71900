using System.Runtime.CompilerServices;
using EventEngine.Actors.TestKit.Internal;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// Assertions on what the plugins under test publish, in the order they published it. Events the test itself
/// published are left out. Each expectation takes the next published event(s); a failure names the expected and
/// the actual event (with its wire frame).
/// </summary>
public abstract class EventExpectations
{
    private protected EventExpectations(Harness harness, string subject)
    {
        Harness = harness;
        Subject = subject;
    }

    private protected Harness Harness { get; }

    /// <summary>Who publishes, in failure messages: the plugin's name, or "the engine".</summary>
    protected string Subject { get; }

    /// <summary>
    /// While on (the default), events the test publishes go through their real codec (encoded, then decoded by the
    /// engine, as between processes), and every event the plugins publish is checked to survive its codec: a codec
    /// bug fails the test. Off: instances are delivered and recorded as they are.
    /// </summary>
    public bool CodecRoundTrip
    {
        get => Harness.CodecRoundTrip;
        set => Harness.CodecRoundTrip = value;
    }

    /// <summary>Everything the plugins have published so far, including events not yet expected.</summary>
    public IReadOnlyList<PublishedEvent> Published => Harness.History();

    /// <summary>
    /// Expects the next published event to be a <typeparamref name="T"/> (matching <paramref name="predicate"/>, if
    /// given) within <paramref name="timeout"/> (default: the TestKit's remaining or default time), and returns it.
    /// </summary>
    /// <param name="predicate">A condition the event must meet.</param>
    /// <param name="timeout">How long to wait for it (dilated by the TestKit's time factor).</param>
    /// <param name="condition">The predicate's source text, for the failure message (filled in by the compiler).</param>
    /// <exception cref="EventExpectationException">Nothing, or another event, was published.</exception>
    public T ExpectPublished<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(predicate))] string? condition = null) where T : notnull
    {
        var what = predicate is null ? $"a {typeof(T).Name}" : $"a {typeof(T).Name} matching {condition}";
        var wait = Wait(timeout);
        var published = Next(what, wait);
        if (published.Event is not T typed || (predicate is not null && !predicate(typed)))
            throw Failure($"Expected {Subject} to publish {what}, but the next event it published was {published}.");
        return typed;
    }

    /// <summary>Expects the next published event to equal <paramref name="expected"/> within <paramref name="timeout"/>.</summary>
    /// <exception cref="EventExpectationException">Nothing, or another event, was published.</exception>
    public T ExpectPublished<T>(T expected, TimeSpan? timeout = null) where T : notnull
    {
        var what = Describe.Event(expected);
        var published = Next(what, Wait(timeout));
        if (published.Event is not T typed || !EqualityComparer<T>.Default.Equals(typed, expected))
            throw Failure($"Expected {Subject} to publish {what}, but the next event it published was {published}.");
        return typed;
    }

    /// <summary>
    /// Expects the next <paramref name="count"/> published events to be <typeparamref name="T"/>s, all within
    /// <paramref name="timeout"/> (default: the TestKit's remaining or default time), and returns them in order.
    /// </summary>
    /// <exception cref="EventExpectationException">Fewer were published in time, or one was something else.</exception>
    public IReadOnlyList<T> ExpectPublishedMany<T>(int count, TimeSpan? timeout = null) where T : notnull
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var wait = Wait(timeout);
        var deadline = DateTime.UtcNow + wait;
        var events = new List<T>(count);
        var seen = new List<PublishedEvent>(count);
        var what = $"{Describe.Plural(count, typeof(T).Name + " event")}";
        while (events.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            var published = Harness.Take(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (published is null)
                throw Failure($"Expected {Subject} to publish {what} within {Describe.Duration(wait)}, but it published {events.Count}" +
                              (seen.Count > 0 ? $": {Describe.List(seen)}." : "."));
            CheckCodec(published, what);
            if (published.Event is not T typed)
                throw Failure($"Expected {Subject} to publish {what}, but event {events.Count + 1} of {count} was {published}" +
                              (seen.Count > 0 ? $" (after {Describe.List(seen)})." : "."));
            seen.Add(published);
            events.Add(typed);
        }
        return events;
    }

    /// <summary>Expects any next published event (typed or raw) within <paramref name="timeout"/> and returns it with its frame.</summary>
    /// <exception cref="EventExpectationException">Nothing was published in time, or the event does not survive its codec.</exception>
    public PublishedEvent ExpectPublishedEvent(TimeSpan? timeout = null) => Next("an event", Wait(timeout));

    /// <summary>
    /// Expects nothing to be published for <paramref name="duration"/> (default: 500ms, dilated by the TestKit's time factor).
    /// </summary>
    /// <exception cref="EventExpectationException">Something was published.</exception>
    public void ExpectNoPublished(TimeSpan? duration = null)
    {
        var wait = Harness.Kit.Dilated(duration ?? TimeSpan.FromMilliseconds(500));
        if (Harness.Take(wait) is { } published)
            throw Failure($"Expected {Subject} to publish nothing for {Describe.Duration(wait)}, but it published {published}.");
    }

    private protected TimeSpan Wait(TimeSpan? timeout) => timeout is { } t ? Harness.Kit.Dilated(t) : Harness.Kit.RemainingOrDefault;

    private protected EventExpectationException Failure(string message) => new(message);

    private PublishedEvent Next(string what, TimeSpan wait)
    {
        var published = Harness.Take(wait);
        if (published is null)
        {
            var earlier = Harness.Consumed();
            throw Failure($"Expected {Subject} to publish {what} within {Describe.Duration(wait)}, but it published " +
                          (earlier.Count == 0 ? "nothing." : $"nothing more (earlier: {Describe.List(earlier)})."));
        }
        CheckCodec(published, what);
        return published;
    }

    private void CheckCodec(PublishedEvent published, string what)
    {
        if (published.CodecProblem is { } problem)
            throw Failure($"Expected {Subject} to publish {what}; it published {published}, but {problem}. " +
                          "(Set CodecRoundTrip = false to skip this check.)");
    }
}
