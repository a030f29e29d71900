using System.Buffers;
using EventEngine.Actors.Codecs;
using MessagePack;

// encode: prints "<Type> <hex payload>" for each sample record, encoded by the engine's MessagePack codec.
// check:  reads "<Type> <hex payload>" lines (Python's encoding of the same samples) from stdin, decodes each with the
//         engine's codec and compares it with the sample (by the codec's own encoding); prints "ok <Type>" or
//         "mismatch <Type>: ..." and exits 1 on any mismatch or decode error.
var samples = new Dictionary<string, (object Value, Func<ReadOnlyMemory<byte>, object> Decode, Func<object, byte[]> Encode)>
{
    ["Order"] = Sample(Samples.Order),
    ["Line"] = Sample(Samples.Order.Lines[0]),
};

switch (args.FirstOrDefault())
{
    case "encode":
        foreach (var (name, sample) in samples) Console.WriteLine($"{name} {Convert.ToHexString(sample.Encode(sample.Value))}");
        return 0;
    case "check":
        var failed = 0;
        for (var line = Console.ReadLine(); line is not null; line = Console.ReadLine())
        {
            var parts = line.Split(' ', 2);
            if (!samples.TryGetValue(parts[0], out var sample))
            {
                Console.WriteLine($"mismatch {parts[0]}: no such sample");
                failed++;
                continue;
            }
            try
            {
                var decoded = sample.Decode(Convert.FromHexString(parts[1]));
                var expected = sample.Encode(sample.Value);
                var actual = sample.Encode(decoded);
                if (expected.AsSpan().SequenceEqual(actual)) Console.WriteLine($"ok {parts[0]}");
                else
                {
                    Console.WriteLine($"mismatch {parts[0]}: C# decoded {MessagePackSerializer.ConvertToJson(actual)}, expected {MessagePackSerializer.ConvertToJson(expected)}");
                    failed++;
                }
            }
            catch (MessagePackSerializationException e)
            {
                Console.WriteLine($"mismatch {parts[0]}: {e.Message} {e.InnerException?.Message}");
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: EventEngine.Actors.PyInterop encode|check");
        return 2;
}

static (object, Func<ReadOnlyMemory<byte>, object>, Func<object, byte[]>) Sample<T>(T value) where T : notnull
{
    var codec = new MessagePackEventCodec<T>();
    return (value, payload => codec.Decode(payload), v =>
    {
        var buffer = new ArrayBufferWriter<byte>();
        codec.Encode((T)v, buffer);
        return buffer.WrittenSpan.ToArray();
    });
}

/// <summary>The C# side of pyevents' typed events: one record of every kind of value Python maps.</summary>
public enum Priority
{
    Low = 0,
    Normal = 1,
    Urgent = 5,
}

public sealed record Line(string Sku, int Qty, decimal Price);

public sealed record Order(Guid OrderId, string Customer, decimal Total, DateTime PlacedAt, DateOnly DeliverOn,
    Priority Priority, Line[] Lines, string? Note, double Weight, bool Gift, byte[] Attachment);

internal static class Samples
{
    public static readonly Order Order = new(
        Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), "Zoë Ünal", 1234.50m,
        new DateTime(2026, 11, 28, 9, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560), new DateOnly(2026, 12, 24),
        Priority.Urgent, [new Line("A-1", 2, 9.99m), new Line("B-2", 1, 0.10m)], null, 2.5, true, [1, 2, 255]);
}
