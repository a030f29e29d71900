using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using EventEngine.Actors.Codecs;

namespace EventEngine.Actors.Events;

/// <summary>
/// The event types one engine knows, by C# type and by filter. Types not registered explicitly are
/// registered on first use with their defaults (C# name, MessagePack, or what <see cref="EventAttribute"/> says).
/// Frames from outside are decoded as the registered type with the longest filter that prefixes them.
/// </summary>
public sealed class EventRegistry
{
    private static int s_slots;
    private readonly ConcurrentDictionary<Type, EventType> _byType = new();
    private readonly object _gate = new();
    // Get<T> on the publish path: an array index (the C# type's process-wide slot) instead of a dictionary lookup by Type.
    private EventType?[] _bySlot = [];
    private EventType[] _byFilterLengthDescending = [];

    /// <summary>All registered event types.</summary>
    public IReadOnlyCollection<EventType> All => Volatile.Read(ref _byFilterLengthDescending);

    /// <summary>Registers an event type. Throws if its C# type or its filter is already taken by another definition.</summary>
    public EventType<T> Register<T>(EventType<T> type) where T : notnull => (EventType<T>)Register((EventType)type);

    internal EventType Register(EventType type)
    {
        lock (_gate)
        {
            if (_byType.TryGetValue(type.ClrType, out var existing))
            {
                if (ReferenceEquals(existing, type)) return existing;
                throw new InvalidOperationException(
                    $"event type {type.ClrType.FullName} is already registered as '{existing.Name}'; register each event type once, before the engine starts using it");
            }
            foreach (var clash in _byFilterLengthDescending)
                if (clash.Filter.AsSpan().SequenceEqual(type.Filter))
                    throw new InvalidOperationException(
                        $"event types '{clash.Name}' ({clash.ClrType.Name}) and '{type.Name}' ({type.ClrType.Name}) have the same filter '{Encoding.ASCII.GetString(type.Filter)}'");
            Volatile.Write(ref _byFilterLengthDescending, InsertedByFilterLength(_byFilterLengthDescending, type));
            _byType[type.ClrType] = type;
            return type;
        }
    }

    /// <summary>The event type of <typeparamref name="T"/>, registering its default definition on first use.</summary>
    public EventType<T> Get<T>() where T : notnull
    {
        var slots = Volatile.Read(ref _bySlot);
        var slot = Slot<T>.Index;
        return slot < slots.Length && slots[slot] is { } type ? (EventType<T>)type : GetAndRemember<T>();
    }

    private EventType<T> GetAndRemember<T>() where T : notnull
    {
        lock (_gate) // plugins constructed in parallel may ask for the same new type at once
        {
            var type = _byType.TryGetValue(typeof(T), out var known) ? known : Register(Default<T>());
            var (slots, slot) = (_bySlot, Slot<T>.Index);
            if (slot >= slots.Length) Array.Resize(ref slots, Math.Max(slot + 1, 2 * slots.Length));
            slots[slot] = type;
            Volatile.Write(ref _bySlot, slots);
            return (EventType<T>)type;
        }
    }

    /// <summary>A C# type's index in every registry's <see cref="_bySlot"/>, given on first use.</summary>
    private static class Slot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref s_slots) - 1;
    }

    /// <summary>The event type of a C# type, registering its default definition on first use.</summary>
    public EventType Get(Type clrType)
    {
        if (_byType.TryGetValue(clrType, out var type)) return type;
        var get = typeof(EventRegistry).GetMethod(nameof(Get), Type.EmptyTypes)!.MakeGenericMethod(clrType);
        return (EventType)get.Invoke(this, null)!;
    }

    /// <summary>A subscription by name: the filter of the registered event type named <paramref name="subscription"/>, else its UTF-8 bytes (a raw prefix).</summary>
    internal byte[] FilterOf(string subscription) =>
        Volatile.Read(ref _byFilterLengthDescending).FirstOrDefault(t => t.Name == subscription)?.Filter ?? Encoding.UTF8.GetBytes(subscription);

    /// <summary>The registered type with the longest filter that prefixes <paramref name="frame"/>, or null.</summary>
    public EventType? Match(ReadOnlySpan<byte> frame)
    {
        foreach (var type in Volatile.Read(ref _byFilterLengthDescending))
            if (frame.StartsWith(type.Filter)) return type;
        return null;
    }

    /// <summary>Decodes a frame from outside: typed when a registered filter matches, else a <see cref="RawEvent"/>.</summary>
    /// <exception cref="EventDecodeException">The frame matched a type but its payload is invalid.</exception>
    public (object Event, EventType? Type) Decode(byte[] frame)
    {
        var type = Match(frame);
        if (type is null) return (new RawEvent(frame), null);
        try
        {
            return (type.DecodeFrame(frame), type);
        }
        catch (Exception e)
        {
            throw new EventDecodeException(type, frame.Length, e);
        }
    }

    // After the last type with a filter as long or longer (so types registered earlier come first among equals). A loop,
    // not LINQ's OrderBy: its first call with an int key costs milliseconds of JIT on the start-up path.
    private static EventType[] InsertedByFilterLength(EventType[] types, EventType type)
    {
        var at = 0;
        while (at < types.Length && types[at].Filter.Length >= type.Filter.Length) at++;
        return [.. types.AsSpan(0, at), type, .. types.AsSpan(at)];
    }

    private static EventType<T> Default<T>() where T : notnull
    {
        if (Array.Exists(typeof(T).GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventDefinition<>)))
            return (EventType<T>)typeof(T).GetProperty("Definition", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var attribute = typeof(T).GetCustomAttribute<EventAttribute>();
        return EventType.Create<T>(new MessagePackEventCodec<T>(), attribute?.Name, attribute?.Filter);
    }
}

/// <summary>A frame matched an event type's filter but its payload could not be decoded.</summary>
public sealed class EventDecodeException : Exception
{
    internal EventDecodeException(EventType type, int frameLength, Exception inner)
        : base($"cannot decode a {frameLength}-byte frame as event type '{type.Name}': {inner.Message}", inner) => EventType = type;

    /// <summary>The event type whose filter the frame carried.</summary>
    public EventType EventType { get; }
}
