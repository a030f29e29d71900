using System.Runtime.Serialization;
using Akka.Actor;
using EventEngine.Actors.Cluster.Links;

namespace EventEngine.Actors.Cluster.Tests;

public sealed class LinkSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer");
    private readonly LinkSerializer _serializer;

    public LinkSerializerTests() => _serializer = new LinkSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void A_batch_and_an_ack_round_trip_with_their_frames_as_on_the_wire()
    {
        var batch = new NodeBatch(42, [[.. "TypeXabc"u8], [], [.. "Raw\0\xff"u8]]);
        var read = (NodeBatch)_serializer.FromBinary(_serializer.ToBinary(batch), _serializer.Manifest(batch));
        Assert.Equal(42, read.Sequence);
        Assert.Equal(batch.Frames, read.Frames);
        var ack = new NodeAck(7);
        Assert.Equal(ack, _serializer.FromBinary(_serializer.ToBinary(ack), _serializer.Manifest(ack)));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0 }, "12-byte header")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f }, "claims 2147483647 frames")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0 }, "length 9 at byte 12")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5 }, "1 stray bytes")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4 }, "ends inside the length of frame 1")]
    public void A_malformed_batch_from_another_node_is_refused_saying_what_was_wrong(byte[] bytes, string expected)
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "B"));
        Assert.Contains("refused a message from another node", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_part_of_a_large_frame_round_trips_with_its_place_in_the_frame()
    {
        byte[] frame = [.. "TypeXpayload"u8];
        var part = new NodeFramePart(9, 2, frame.Length, frame.AsMemory(5, 4));
        var read = (NodeFramePart)_serializer.FromBinary(_serializer.ToBinary(part), _serializer.Manifest(part));
        Assert.Equal((9L, 2, frame.Length), (read.Sequence, read.Index, read.FrameLength));
        Assert.Equal("payl"u8.ToArray(), read.Bytes.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0 }, "16-byte header and at least 1 byte, this one is 16 bytes")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 4, 0, 0, 0, 7 }, "part -1 (message 1): a part's index is 0 or more")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 7, 8, 9 }, "carries 3 bytes of a frame of 2 bytes")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 7 }, "carries 1 bytes of a frame of -2147483648 bytes")]
    public void A_malformed_part_from_another_node_is_refused_saying_what_was_wrong(byte[] bytes, string expected)
    {
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "P"));
        Assert.Contains("refused a message from another node", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_unknown_manifest_or_a_short_ack_is_refused()
    {
        Assert.Contains("unknown manifest 'Z'", Assert.Throws<SerializationException>(() => _serializer.FromBinary([], "Z")).Message);
        Assert.Contains("8 bytes, this one 3", Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 2, 3], "A")).Message);
    }
}
