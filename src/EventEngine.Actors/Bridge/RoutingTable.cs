using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using EventEngine.Actors.Events;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// One subscriber's prefixes (zmq prefix semantics: a prefix matches every frame that starts with it), whether it
/// reads the frames of what it gets (an external plugin's session, a link to another node), and whether it takes
/// deliveries in batches (a plugin: <see cref="Outbox"/>).
/// </summary>
internal sealed record SubscriberEntry(IActorRef Subscriber, ImmutableArray<byte[]> Prefixes, bool ReadsFrames = false, bool TakesBatches = false);

/// <summary>
/// An immutable snapshot of who listens to what: local subscribers and the prefixes outside subscribers hold
/// on the bridge's XPUB. The bridge replaces it on every change; publishers read the current snapshot without
/// locks and cache one <see cref="Route"/> per event type in it.
/// </summary>
internal sealed class RoutingTable
{
    private readonly ConcurrentDictionary<EventType, Route> _routes = new(ReferenceEqualityComparer.Instance);

    public RoutingTable(ImmutableArray<SubscriberEntry> subscribers, IEnumerable<byte[]> outsidePrefixes)
    {
        Subscribers = subscribers;
        OutsidePrefixes = outsidePrefixes;
    }

    public static RoutingTable Empty { get; } = new([], []);

    public ImmutableArray<SubscriberEntry> Subscribers { get; }

    public IEnumerable<byte[]> OutsidePrefixes { get; }

    public Route RouteFor(EventType type) => _routes.GetOrAdd(type, static (t, table) => Route.Build(t.Filter, table), this);

    /// <summary>The route of a frame of no registered type: every match depends on the frame itself.</summary>
    public Route RouteForRaw() => _rawRoute ??= Route.Build([], this);

    private Route? _rawRoute;
}

/// <summary>
/// Where events of one type go. Subscribers whose prefix is a prefix of the filter always get them; a prefix
/// longer than the filter reaches into the payload, so its match is decided per frame.
/// </summary>
internal sealed class Route
{
    private Route(IActorRef[] always, IActorRef[] batched, IActorRef[] direct, (ImmutableArray<byte[]> Prefixes, IActorRef Subscriber)[] ifFrameMatches,
        bool outsideAlways, byte[][] outsideIfFrameMatches, bool subscriberReadsFrames)
    {
        Always = always;
        Batched = batched;
        Direct = direct;
        IfFrameMatches = ifFrameMatches;
        OutsideAlways = outsideAlways;
        OutsideIfFrameMatches = outsideIfFrameMatches;
        NeedsFrame = outsideAlways || ifFrameMatches.Length > 0 || outsideIfFrameMatches.Length > 0;
        KeepsFrame = NeedsFrame || subscriberReadsFrames;
    }

    /// <summary>The subscribers that get every event of the type.</summary>
    public IActorRef[] Always { get; }

    /// <summary>Those of <see cref="Always"/> that take deliveries in batches (plugins).</summary>
    public IActorRef[] Batched { get; }

    /// <summary>The others of <see cref="Always"/>.</summary>
    public IActorRef[] Direct { get; }

    public (ImmutableArray<byte[]> Prefixes, IActorRef Subscriber)[] IfFrameMatches { get; }

    public bool OutsideAlways { get; }

    public byte[][] OutsideIfFrameMatches { get; }

    /// <summary>True when delivering needs the encoded frame (payload-dependent matches, or the wire).</summary>
    public bool NeedsFrame { get; }

    /// <summary>True when the frame is read at all (<see cref="NeedsFrame"/>, or a subscriber reads frames): encode it once and keep it.</summary>
    public bool KeepsFrame { get; }

    public bool GoesOutside(ReadOnlySpan<byte> frame)
    {
        if (OutsideAlways) return true;
        foreach (var prefix in OutsideIfFrameMatches)
            if (frame.StartsWith(prefix)) return true;
        return false;
    }

    public static Route Build(byte[] filter, RoutingTable table)
    {
        var always = new List<SubscriberEntry>();
        var conditional = new List<(ImmutableArray<byte[]>, IActorRef)>();
        var readsFrames = false;
        foreach (var entry in table.Subscribers)
        {
            if (entry.Prefixes.Any(p => filter.AsSpan().StartsWith(p)))
                always.Add(entry);
            else if (entry.Prefixes.Where(p => p.AsSpan().StartsWith(filter)).ToImmutableArray() is { Length: > 0 } longer)
                conditional.Add((longer, entry.Subscriber));
            else continue;
            readsFrames |= entry.ReadsFrames;
        }
        var outsideAlways = table.OutsidePrefixes.Any(p => filter.AsSpan().StartsWith(p));
        var outsideConditional = outsideAlways
            ? []
            : table.OutsidePrefixes.Where(p => p.AsSpan().StartsWith(filter)).ToArray();
        return new Route([.. always.Select(e => e.Subscriber)], [.. always.Where(e => e.TakesBatches).Select(e => e.Subscriber)],
            [.. always.Where(e => !e.TakesBatches).Select(e => e.Subscriber)], conditional.ToArray(), outsideAlways, outsideConditional, readsFrames);
    }
}
