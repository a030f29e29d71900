using System.Buffers;
using System.Text;
using EventEngine.Actors.Codecs;
using EventEngine.Actors.Events;
using EventEngine.Samples.Example;
using EventEngine.Samples.LoadTest;
using MessagePack;
using Xunit;

namespace EventEngine.Actors.Tests;

public class CodecTests
{
    [Fact]
    public void Text_layouts_encode_exactly_the_originals_frames()
    {
        Assert.Equal("TypeAThis is message 0", Encoding.UTF8.GetString(TypeA.Definition.Encode(new TypeA("This is message 0"))));
        Assert.Equal("TypeB17", Encoding.ASCII.GetString(TypeB.Definition.Encode(new TypeB(17))));
        Assert.Equal("TypeCGoodbye from python", Encoding.UTF8.GetString(TypeC.Definition.Encode(new TypeC("Goodbye from python"))));
        Assert.Equal("OperatorMsg123", Encoding.ASCII.GetString(OperatorMessage.Definition.Encode(new OperatorMessage(123))));
        Assert.Equal("InitialMsgStringXXX", Encoding.ASCII.GetString(InitialMessage.Definition.Encode(new InitialMessage("XXX"))));
    }

    [Fact]
    public void Every_codec_round_trips()
    {
        Assert.Equal(new TypeA("héllo wörld"), TypeA.Definition.Decode(TypeA.Definition.Encode(new TypeA("héllo wörld"))));
        Assert.Equal(new TypeB(-42), TypeB.Definition.Decode(TypeB.Definition.Encode(new TypeB(-42))));
        var ping = EventType.Create<Ping>();
        Assert.Equal(new Ping(7, "note"), ping.Decode(ping.Encode(new Ping(7, "note"))));
        var raw = EventType.Create(new RawBytesCodec<byte[]>(b => b, b => b), name: "Blob");
        Assert.Equal(new byte[] { 0, 1, 255 }, raw.Decode(raw.Encode([0, 1, 255])));
    }

    [Fact]
    public void The_decimal_codec_reads_only_a_whole_ascii_integer_and_says_so()
    {
        var counter = EventType.Decimal<long>(n => n, n => n, name: "Count"); // a codec built here, not a static one
        Assert.Equal(long.MinValue, counter.Decode(counter.Encode(long.MinValue)));
        foreach (var bad in new[] { "Count12x", "Count", "Count 12", "Count1.5" })
        {
            var error = Assert.ThrowsAny<Exception>(() => counter.Decode(Encoding.ASCII.GetBytes(bad)));
            Assert.Contains("expected an ASCII decimal integer", error.ToString());
        }
    }

    [Fact]
    public void The_messagepack_codec_uses_the_options_it_is_given()
    {
        var compressed = MessagePackEventCodec<Ping>.DefaultOptions.WithCompression(MessagePackCompression.Lz4BlockArray);
        var ping = EventType.Create(new MessagePackEventCodec<Ping>(compressed));
        var frame = ping.Encode(new Ping(1, new string('x', 1000)));
        Assert.InRange(frame.Length, 1, 200); // compressed: the default options would write over 1000 bytes
        Assert.Equal(new Ping(1, new string('x', 1000)), ping.Decode(frame));
    }

    [Fact]
    public void MessagePack_events_are_maps_keyed_by_property_name_so_python_reads_dicts()
    {
        var frame = EventType.Create<Ping>().Encode(new Ping(3, "x"));
        Assert.Equal("Ping", Encoding.ASCII.GetString(frame, 0, 4));
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object>>(frame.AsMemory(4));
        Assert.Equal(3, Convert.ToInt32(map["N"]));
        Assert.Equal("x", map["Note"]);
    }

    [Fact]
    public void Decode_failures_name_the_event_type()
    {
        var registry = new EventRegistry();
        registry.Register(TypeB.Definition);
        var error = Assert.Throws<EventDecodeException>(() => registry.Decode(Encoding.ASCII.GetBytes("TypeBnot-a-number")));
        Assert.Equal("cannot decode a 17-byte frame as event type 'TypeB': expected an ASCII decimal integer, got 12 byte(s) that are not one", error.Message);
        Assert.Same(TypeB.Definition, error.EventType);
        Assert.IsType<FormatException>(error.InnerException);
        var textError = Assert.Throws<EventDecodeException>(() => { registry.Register(TypeA.Definition); registry.Decode([.. "TypeA"u8, 0xff, 0xfe]); });
        Assert.Contains("'TypeA'", textError.Message);
    }

    [Fact]
    public void Frames_decode_as_the_type_with_the_longest_matching_filter_else_raw()
    {
        var registry = new EventRegistry();
        registry.Register(Alpha.Definition);
        registry.Register(AlphaBeta.Definition);
        Assert.IsType<AlphaBeta>(registry.Decode(Encoding.ASCII.GetBytes("AlphaBetaxyz")).Event);
        Assert.Equal(new Alpha("Bxyz"), registry.Decode(Encoding.ASCII.GetBytes("AlphaBxyz")).Event);
        Assert.IsType<RawEvent>(registry.Decode(Encoding.ASCII.GetBytes("Gamma")).Event);
    }

    [Fact]
    public void Two_types_with_one_filter_are_refused_with_both_names()
    {
        var registry = new EventRegistry();
        registry.Register(Alpha.Definition);
        var error = Assert.Throws<InvalidOperationException>(() => registry.Register(EventType.Create<Ping>(filter: "Alpha")));
        Assert.Contains("'Alpha'", error.Message);
        Assert.Contains("'Ping'", error.Message);
    }

    [Fact]
    public void Frames_encoded_one_after_another_on_a_thread_hold_only_their_own_bytes()
    {
        var ping = EventType.Create<Ping>();
        var large = ping.Encode(new Ping(1, new string('x', 100_000))); // grows the thread's buffer past what it keeps
        var failing = EventType.Create(new FailingCodec());
        Assert.Throws<InvalidOperationException>(() => failing.Encode("half"));
        var small = ping.Encode(new Ping(2, "y"));

        Assert.Equal(new Ping(1, new string('x', 100_000)), ping.Decode(large));
        Assert.Equal(ping.Filter.Length + MessagePackSerializer.Serialize(new Ping(2, "y"), MessagePackEventCodec<Ping>.DefaultOptions).Length, small.Length);
        Assert.Equal(new Ping(2, "y"), ping.Decode(small));
    }

    [Fact]
    public void A_codec_may_encode_another_event_while_it_encodes_its_own()
    {
        var inner = EventType.Create<Ping>();
        var outer = EventType.Create(new NestingCodec(inner), name: "Outer");
        var frame = outer.Encode(new Ping(7, "inner"));
        var nested = frame.AsMemory(outer.Filter.Length);
        Assert.Equal(new Ping(7, "inner"), inner.Decode(nested)); // the inner frame whole, after the outer filter only
    }

    // Writes part of a payload, then fails.
    private sealed class FailingCodec : IEventCodec<string>
    {
        public void Encode(string value, IBufferWriter<byte> payload)
        {
            payload.Write(Encoding.ASCII.GetBytes(value));
            throw new InvalidOperationException("this codec fails half way");
        }

        public string Decode(ReadOnlyMemory<byte> payload) => Encoding.ASCII.GetString(payload.Span);
    }

    // A payload that is another event type's whole frame, encoded inside this encode.
    private sealed class NestingCodec(EventType<Ping> inner) : IEventCodec<Ping>
    {
        public void Encode(Ping value, IBufferWriter<byte> payload) => payload.Write(inner.Encode(value));

        public Ping Decode(ReadOnlyMemory<byte> payload) => inner.Decode(payload);
    }
}
