using System.Buffers;
using System.Text;
using EventEngine.Actors.Codecs;

namespace EventEngine.Actors.Events;

/// <summary>
/// What the engine knows about one kind of event: its name, its filter (the prefix bytes every frame of this
/// type starts with, and the key subscribers subscribe with) and its codec.
/// </summary>
public abstract class EventType
{
    private protected EventType(string name, byte[] filter, Type clrType)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("an event type needs a name", nameof(name));
        if (filter.Length == 0) throw new ArgumentException($"event type '{name}' needs a non-empty filter", nameof(filter));
        Name = name;
        Filter = filter;
        ClrType = clrType;
    }

    /// <summary>The event type's name (by default the C# type's name).</summary>
    public string Name { get; }

    /// <summary>The filter prefix (by default the name in ASCII). Do not modify the array.</summary>
    public byte[] Filter { get; }

    /// <summary>The C# type of the events.</summary>
    public Type ClrType { get; }

    /// <summary>Encodes an event of this type as one wire frame: filter, then payload.</summary>
    public abstract byte[] EncodeFrame(object value);

    /// <summary>Decodes a whole wire frame (which starts with <see cref="Filter"/>) into an event.</summary>
    public abstract object DecodeFrame(ReadOnlyMemory<byte> frame);

    /// <summary>Defines an event type. Name defaults to the C# type's name, filter to the name, codec to MessagePack.</summary>
    public static EventType<T> Create<T>(IEventCodec<T>? codec = null, string? name = null, string? filter = null) where T : notnull
    {
        name ??= typeof(T).Name;
        return new EventType<T>(name, Encoding.ASCII.GetBytes(filter ?? name), codec ?? new MessagePackEventCodec<T>());
    }

    /// <summary>Defines an event type in the original's text layout: filter, then the UTF-8 text.</summary>
    public static EventType<T> Utf8Text<T>(Func<T, string> toText, Func<string, T> fromText, string? name = null) where T : notnull
        => Create(new Utf8TextCodec<T>(toText, fromText), name);

    /// <summary>Defines an event type in the original's count layout: filter, then an ASCII decimal.</summary>
    public static EventType<T> Decimal<T>(Func<T, long> toNumber, Func<long, T> fromNumber, string? name = null) where T : notnull
        => Create(new DecimalCodec<T>(toNumber, fromNumber), name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>An event type for the C# type <typeparamref name="T"/>.</summary>
public sealed class EventType<T> : EventType where T : notnull
{
    internal EventType(string name, byte[] filter, IEventCodec<T> codec) : base(name, filter, typeof(T)) => Codec = codec;

    /// <summary>The codec of this event type.</summary>
    public IEventCodec<T> Codec { get; }

    /// <summary>Encodes <paramref name="value"/> as one wire frame: filter, then payload.</summary>
    public byte[] Encode(T value)
    {
        var buffer = FrameBuffer.Rent();
        try
        {
            buffer.Write(Filter);
            Codec.Encode(value, buffer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            FrameBuffer.Return(buffer);
        }
    }

    /// <summary>Decodes a whole wire frame into an event.</summary>
    public T Decode(ReadOnlyMemory<byte> frame)
    {
        if (!frame.Span.StartsWith(Filter))
            throw new FormatException($"frame does not start with the filter of event type '{Name}'");
        return Codec.Decode(frame[Filter.Length..]);
    }

    /// <inheritdoc />
    public override byte[] EncodeFrame(object value) => Encode((T)value);

    /// <inheritdoc />
    public override object DecodeFrame(ReadOnlyMemory<byte> frame) => Decode(frame);
}
