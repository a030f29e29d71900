using EventEngine.Actors.Events;

namespace EventEngine.Samples.LoadTest;

/// <summary>The load test's producer event: filter <c>InitialMsgString</c>, then <c>X</c> repeated k times.</summary>
public sealed record InitialMessage(string Payload) : IEventDefinition<InitialMessage>
{
    public static EventType<InitialMessage> Definition { get; } =
        EventType.Utf8Text<InitialMessage>(e => e.Payload, s => new InitialMessage(s), name: "InitialMsgString");
}

/// <summary>The operator's event: filter <c>OperatorMsg</c>, then k (the payload length) in ASCII decimal.</summary>
public sealed record OperatorMessage(long Length) : IEventDefinition<OperatorMessage>
{
    public static EventType<OperatorMessage> Definition { get; } =
        EventType.Decimal<OperatorMessage>(e => e.Length, n => new OperatorMessage(n), name: "OperatorMsg");
}
