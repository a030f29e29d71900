using System.Buffers.Binary;
using Akka.Actor;
using Akka.Serialization;

namespace EventEngine.Actors.Cluster.Links;

/// <summary>
/// The Akka serializer of the links' messages, all little-endian. A batch is its sequence number, its frame count and
/// each frame length-prefixed, the frames as they are on the wire; a part of a large frame is its sequence number, its
/// index, the whole frame's length and then its bytes (at least one, at most the frame's length); an acknowledgement
/// is its sequence number.
/// Bytes from another node are untrusted: every count and length is checked against what is left before anything is
/// allocated, and a bad message fails with a <see cref="System.Runtime.Serialization.SerializationException"/> saying
/// what was wrong and where (Akka.Remote logs it and drops that message only).
/// </summary>
internal sealed class LinkSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's identifier among the actor system's serializers.</summary>
    public const int Id = 8411;

    private const string BatchManifest = "B";
    private const string PartManifest = "P";
    private const string AckManifest = "A";
    private const int PartHeader = 16;

    public LinkSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        NodeBatch => BatchManifest,
        NodeFramePart => PartManifest,
        NodeAck => AckManifest,
        _ => throw new ArgumentException($"{nameof(LinkSerializer)} cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        switch (obj)
        {
            case NodeAck ack:
                var ackBytes = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(ackBytes, ack.Sequence);
                return ackBytes;
            case NodeBatch batch:
                var bytes = new byte[12 + batch.Frames.Sum(f => 4 + f.Length)];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, batch.Sequence);
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), batch.Frames.Count);
                var at = 12;
                foreach (var frame in batch.Frames)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), frame.Length);
                    frame.CopyTo(bytes, at + 4);
                    at += 4 + frame.Length;
                }
                return bytes;
            case NodeFramePart part:
                var partBytes = new byte[PartHeader + part.Bytes.Length];
                BinaryPrimitives.WriteInt64LittleEndian(partBytes, part.Sequence);
                BinaryPrimitives.WriteInt32LittleEndian(partBytes.AsSpan(8), part.Index);
                BinaryPrimitives.WriteInt32LittleEndian(partBytes.AsSpan(12), part.FrameLength);
                part.Bytes.Span.CopyTo(partBytes.AsSpan(PartHeader));
                return partBytes;
            default:
                throw new ArgumentException($"{nameof(LinkSerializer)} cannot serialize {obj.GetType()}", nameof(obj));
        }
    }

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        AckManifest when bytes.Length == 8 => new NodeAck(BinaryPrimitives.ReadInt64LittleEndian(bytes)),
        AckManifest => throw Bad($"an acknowledgement is 8 bytes, this one {bytes.Length}"),
        BatchManifest => ReadBatch(bytes),
        PartManifest => ReadPart(bytes),
        _ => throw Bad($"unknown manifest '{manifest}' (expected {BatchManifest}, {PartManifest} or {AckManifest})"),
    };

    // Only the part's own bytes are checked here; whether it continues the frame before it is the inbox's to judge.
    private static NodeFramePart ReadPart(byte[] bytes)
    {
        if (bytes.Length <= PartHeader) throw Bad($"a frame part has a {PartHeader}-byte header and at least 1 byte, this one is {bytes.Length} bytes long");
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var index = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var frameLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (index < 0) throw Bad($"part {index} (message {sequence}): a part's index is 0 or more");
        if (bytes.Length - PartHeader > frameLength)
            throw Bad($"part {index} (message {sequence}) carries {bytes.Length - PartHeader} bytes of a frame of {frameLength} bytes");
        // The bytes stay in the array Akka.Remote gave us (its own copy): no second copy per part.
        return new NodeFramePart(sequence, index, frameLength, bytes.AsMemory(PartHeader));
    }

    private static NodeBatch ReadBatch(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12) throw Bad($"a batch has a 12-byte header, this one is {bytes.Length} bytes long");
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        // Each frame takes at least its 4-byte length: a count the bytes cannot hold is refused before allocating.
        if (count < 0 || count > (bytes.Length - 12) / 4)
            throw Bad($"batch {sequence} claims {count} frames but has {bytes.Length - 12} bytes after its header");
        var frames = new byte[count][];
        var at = 12;
        for (var i = 0; i < count; i++)
        {
            if (bytes.Length - at < 4) throw Bad($"batch {sequence} ends inside the length of frame {i} (byte {at})");
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            at += 4;
            if (length < 0 || length > bytes.Length - at)
                throw Bad($"batch {sequence}, frame {i}: length {length} at byte {at - 4}, but {bytes.Length - at} bytes are left");
            frames[i] = bytes.Slice(at, length).ToArray();
            at += length;
        }
        if (at != bytes.Length) throw Bad($"batch {sequence}: {bytes.Length - at} stray bytes after its {count} frames");
        return new NodeBatch(sequence, frames);
    }

    private static System.Runtime.Serialization.SerializationException Bad(string what) =>
        new($"event-engine cluster link: refused a message from another node: {what}");
}
