using EventEngine.Actors.Events;

namespace EventEngine.Samples.Example;

/// <summary>The original's <c>TypeA</c>: filter <c>TypeA</c>, then UTF-8 text.</summary>
public sealed record TypeA(string Text) : IEventDefinition<TypeA>
{
    public static EventType<TypeA> Definition { get; } = EventType.Utf8Text<TypeA>(e => e.Text, s => new TypeA(s));
}

/// <summary>The original's <c>TypeB</c>: filter <c>TypeB</c>, then a count in ASCII decimal.</summary>
public sealed record TypeB(long Count) : IEventDefinition<TypeB>
{
    public static EventType<TypeB> Definition { get; } = EventType.Decimal<TypeB>(e => e.Count, n => new TypeB(n));
}

/// <summary>The original's <c>TypeC</c>: filter <c>TypeC</c>, then UTF-8 text.</summary>
public sealed record TypeC(string Text) : IEventDefinition<TypeC>
{
    public static EventType<TypeC> Definition { get; } = EventType.Utf8Text<TypeC>(e => e.Text, s => new TypeC(s));
}
