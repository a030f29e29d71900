namespace EventEngine.Actors.Events;

/// <summary>
/// Names a MessagePack event type whose name or filter differs from its C# type name.
/// Types without this attribute and without an explicit registration use their C# name and MessagePack.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventAttribute : Attribute
{
    /// <summary>Declares the event type's name (also its filter unless <see cref="Filter"/> is set).</summary>
    public EventAttribute(string name) => Name = name;

    /// <summary>The event type's name.</summary>
    public string Name { get; }

    /// <summary>The filter prefix in ASCII, when it differs from the name.</summary>
    public string? Filter { get; init; }
}
