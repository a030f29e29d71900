using System.Collections.Concurrent;
using EventEngine.Actors.Events;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Checks that an event survives its codec: its frame is read back as the same event type (no other registered
/// filter takes it), decodes, and the decoded event equals the original (value equality, else the same frame again).
/// </summary>
internal static class CodecCheck
{
    private static readonly ConcurrentDictionary<Type, bool> ValueEquality = new();

    /// <summary>Null when the round trip agrees, else what went wrong (a sentence fragment naming the events).</summary>
    public static string? RoundTrip(EventRegistry registry, EventType type, object @event, byte[] frame)
    {
        var reader = registry.Match(frame);
        if (!ReferenceEquals(reader, type))
            return $"its frame {Describe.Frame(frame)} is read back as {(reader is null ? "a raw frame (no registered filter matches it)" : $"event type '{reader.Name}' (filter {Describe.Frame(reader.Filter)})")}, not as '{type.Name}'";
        object decoded;
        try
        {
            decoded = type.DecodeFrame(frame);
        }
        catch (Exception e)
        {
            return $"{type.Name}'s codec cannot decode its own frame {Describe.Frame(frame)}: {e.GetType().Name}: {e.Message}";
        }
        if (HasValueEquality(type.ClrType))
        {
            return Equals(decoded, @event)
                ? null
                : $"{type.Name}'s codec does not round-trip it: the frame {Describe.Frame(frame)} decodes as {Describe.Event(decoded)}";
        }
        byte[] again;
        try
        {
            again = type.EncodeFrame(decoded);
        }
        catch (Exception e)
        {
            return $"{type.Name}'s codec cannot encode what it decoded from {Describe.Frame(frame)}: {e.GetType().Name}: {e.Message}";
        }
        return again.AsSpan().SequenceEqual(frame)
            ? null
            : $"{type.Name}'s codec does not round-trip it: the frame {Describe.Frame(frame)} decodes as {Describe.Event(decoded)}, which encodes as {Describe.Frame(again)}";
    }

    private static bool HasValueEquality(Type type) => ValueEquality.GetOrAdd(type, static t =>
        t.IsValueType || t.GetMethod(nameof(Equals), [typeof(object)])?.DeclaringType != typeof(object));
}
