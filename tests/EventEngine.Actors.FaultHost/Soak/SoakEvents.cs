using EventEngine.Actors.Events;

namespace EventEngine.Actors.FaultHost.Soak;

// The soak's event types: a filter, then a number in ASCII decimal. No filter is a prefix of another.

/// <summary>Numbered by SeqSource, read by the checker and by the Python plugin that is killed.</summary>
public sealed record Seq(long N) : IEventDefinition<Seq>
{
    public static EventType<Seq> Definition { get; } = EventType.Decimal<Seq>(e => e.N, n => new Seq(n));
}

/// <summary>Numbered by TickSource, read by the slow Python plugin.</summary>
public sealed record Tick(long N) : IEventDefinition<Tick>
{
    public static EventType<Tick> Definition { get; } = EventType.Decimal<Tick>(e => e.N, n => new Tick(n));
}

/// <summary>A <see cref="Seq"/> echoed by the Python plugin that is killed.</summary>
public sealed record KillEcho(long N) : IEventDefinition<KillEcho>
{
    public static EventType<KillEcho> Definition { get; } = EventType.Decimal<KillEcho>(e => e.N, n => new KillEcho(n));
}

/// <summary>A <see cref="Tick"/> echoed by the slow Python plugin.</summary>
public sealed record SlowEcho(long N) : IEventDefinition<SlowEcho>
{
    public static EventType<SlowEcho> Definition { get; } = EventType.Decimal<SlowEcho>(e => e.N, n => new SlowEcho(n));
}

/// <summary>Numbered by the bursty Python plugin.</summary>
public sealed record Burst(long N) : IEventDefinition<Burst>
{
    public static EventType<Burst> Definition { get; } = EventType.Decimal<Burst>(e => e.N, n => new Burst(n));
}

/// <summary>The bursty Python plugin's last word: how many <see cref="Burst"/> events it published.</summary>
public sealed record BurstsDone(long Count) : IEventDefinition<BurstsDone>
{
    public static EventType<BurstsDone> Definition { get; } = EventType.Decimal<BurstsDone>(e => e.Count, n => new BurstsDone(n));
}

/// <summary>Published by the soak at its end: the bursty Python plugin stops.</summary>
public sealed record SoakStop(long Seconds) : IEventDefinition<SoakStop>
{
    public static EventType<SoakStop> Definition { get; } = EventType.Decimal<SoakStop>(e => e.Seconds, n => new SoakStop(n));
}
