using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.FlowControl;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>
/// The publish path on its own: a real router and routing table, real actors as subscribers, the wire captured.
/// Who gets which event under zmq prefix semantics, what goes on the wire, and what each delivery costs in credit.
/// </summary>
public class EventRouterTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly EngineMetrics _metrics = new("router-test");
    private readonly EventRouter _router;
    private readonly List<string> _wire = new();
    private readonly CreditWindow _credit = new("test", highWaterMark: 1000, lowWaterMark: 500);

    public EventRouterTests()
    {
        var registry = new EventRegistry();
        registry.Register(TypeA.Definition);
        registry.Register(TypeB.Definition);
        _router = new EventRouter(registry, _metrics, Sys.Log) { Wire = frame => _wire.Add(Encoding.UTF8.GetString(frame)) };
    }

    protected override void Dispose(bool disposing)
    {
        _metrics.Dispose();
        base.Dispose(disposing);
    }

    private Akka.TestKit.TestProbe Subscriber(List<SubscriberEntry> table, params string[] prefixes)
    {
        var probe = CreateTestProbe();
        table.Add(new SubscriberEntry(probe.Ref, [.. prefixes.Select(Encoding.ASCII.GetBytes)]));
        return probe;
    }

    private void Route(List<SubscriberEntry> subscribers, params string[] outside) =>
        _router.Table = new RoutingTable([.. subscribers], outside.Select(Encoding.ASCII.GetBytes).ToArray());

    private object Received(Akka.TestKit.TestProbe probe)
    {
        var delivery = probe.ExpectMsg<Delivery>();
        Assert.Same(_credit, delivery.Credit);
        return delivery.Event;
    }

    [Fact]
    public void A_prefix_reaching_into_the_payload_gets_only_the_events_whose_frames_match_it_and_each_delivery_takes_one_credit()
    {
        var subscribers = new List<SubscriberEntry>();
        var all = Subscriber(subscribers, "TypeA");
        var hot = Subscriber(subscribers, "TypeAhot", "TypeAwarm");
        var shorter = Subscriber(subscribers, "Type");
        var other = Subscriber(subscribers, "TypeB");
        Route(subscribers);

        Assert.Equal(3, _router.Publish(TypeA.Definition, new TypeA("hot day"), _credit));
        Assert.Equal(3, _credit.InFlight);
        Assert.Equal(2, _router.Publish(TypeA.Definition, new TypeA("cold day"), _credit));
        Assert.Equal(3, _router.Publish(TypeA.Definition, new TypeA("warm day"), _credit));
        Assert.Equal(8, _credit.InFlight);

        Assert.Equal(new object[] { new TypeA("hot day"), new TypeA("cold day"), new TypeA("warm day") }, new[] { Received(all), Received(all), Received(all) });
        Assert.Equal(new object[] { new TypeA("hot day"), new TypeA("warm day") }, new[] { Received(hot), Received(hot) });
        Assert.Equal(new object[] { new TypeA("hot day"), new TypeA("cold day"), new TypeA("warm day") }, new[] { Received(shorter), Received(shorter), Received(shorter) });
        hot.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_wire); // nobody outside listens
    }

    [Fact]
    public void Events_go_on_the_wire_exactly_as_encoded_and_only_for_prefixes_held_outside()
    {
        var subscribers = new List<SubscriberEntry>();
        var local = Subscriber(subscribers, "TypeB");
        Route(subscribers, "TypeAhot", "TypeB1");

        Assert.Equal(0, _router.Publish(TypeA.Definition, new TypeA("hot day"), _credit));
        _router.Publish(TypeA.Definition, new TypeA("cold day"), _credit);
        Assert.Equal(1, _router.Publish(TypeB.Definition, new TypeB(17), _credit));
        _router.Publish(TypeB.Definition, new TypeB(27), _credit);
        Assert.Equal(new[] { "TypeAhot day", "TypeB17" }, _wire);
        Assert.Equal(new object[] { new TypeB(17), new TypeB(27) }, new[] { Received(local), Received(local) });

        _wire.Clear();
        Route(subscribers, "Type");
        _router.Publish(TypeA.Definition, new TypeA("any"), _credit);
        _router.PublishFrame("TypeB5"u8.ToArray(), _credit, toWire: true);
        _router.PublishFrame("TypeB6"u8.ToArray(), _credit, toWire: false); // already on the wire: offered to locals only
        _router.PublishFrame("Typewriter"u8.ToArray(), _credit, toWire: true);
        Assert.Equal(new[] { "TypeAany", "TypeB5", "Typewriter" }, _wire);
        Assert.Equal(new object[] { new TypeB(5), new TypeB(6) }, new[] { Received(local), Received(local) });
    }

    [Fact]
    public void A_frame_of_no_registered_type_reaches_the_raw_prefixes_that_match_it()
    {
        var subscribers = new List<SubscriberEntry>();
        var sensors = Subscriber(subscribers, "Sensor");
        var sensor4 = Subscriber(subscribers, "Sensor4");
        var typed = Subscriber(subscribers, "TypeA");
        Route(subscribers);

        Assert.Equal(2, _router.PublishFrame("Sensor42 ok"u8.ToArray(), _credit, toWire: true));
        Assert.Equal(1, _router.PublishFrame("Sensor7 ok"u8.ToArray(), _credit, toWire: true));
        Assert.Equal(0, _router.PublishFrame("Other"u8.ToArray(), _credit, toWire: true));
        Assert.Equal(3, _credit.InFlight);
        Assert.Equal("RawEvent(Sensor42 ok)", Received(sensors).ToString());
        Assert.Equal("RawEvent(Sensor7 ok)", Received(sensors).ToString());
        Assert.Equal("RawEvent(Sensor42 ok)", Received(sensor4).ToString());
        sensor4.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        typed.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_wire);
    }

    [Fact]
    public void An_undecodable_frame_reaches_nobody_and_takes_no_credit()
    {
        var subscribers = new List<SubscriberEntry>();
        var counts = Subscriber(subscribers, "TypeB");
        Route(subscribers, "TypeB");
        Assert.Equal(0, _router.PublishFrame("TypeBseventeen"u8.ToArray(), _credit, toWire: true));
        Assert.Equal(0, _credit.InFlight);
        counts.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_wire);
    }

    [Fact]
    public void Settling_a_delivery_returns_its_credit_and_its_frame_is_the_events_wire_frame()
    {
        var subscribers = new List<SubscriberEntry>();
        var first = Subscriber(subscribers, "TypeA");
        var second = Subscriber(subscribers, "TypeA");
        Route(subscribers);
        _router.Publish(TypeA.Definition, new TypeA("x"), _credit);
        var deliveries = new[] { first.ExpectMsg<Delivery>(), second.ExpectMsg<Delivery>() };
        Assert.Same(deliveries[0], deliveries[1]); // one shared instance per publication
        Assert.Equal("TypeAx", Encoding.UTF8.GetString(deliveries[0].Frame));
        Assert.Equal("Delivery(TypeA: TypeA { Text = x })", deliveries[0].ToString());
        Assert.Equal(2, _credit.InFlight);
        foreach (var delivery in deliveries) delivery.Settle();
        Assert.Equal(0, _credit.InFlight);
        Assert.Equal("Delivery(raw: RawEvent(Zz))", new Delivery(new RawEvent("Zz"u8.ToArray()), null, _credit).ToString());
        Assert.Equal("Zz"u8.ToArray(), new Delivery(new RawEvent("Zz"u8.ToArray()), null, _credit).Frame);
    }

    /// <summary>A text codec that counts its encodes.</summary>
    private sealed class CountingCodec : Codecs.IEventCodec<string>
    {
        public int Encodes;

        public void Encode(string value, System.Buffers.IBufferWriter<byte> payload)
        {
            Interlocked.Increment(ref Encodes);
            System.Buffers.BuffersExtensions.Write(payload, Encoding.UTF8.GetBytes(value));
        }

        public string Decode(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);
    }

    [Fact]
    public void A_publication_to_subscribers_that_read_frames_is_encoded_once_for_all_of_them_and_one_to_plugins_only_not_at_all()
    {
        var codec = new CountingCodec();
        var note = EventType.Create(codec, name: "Note", filter: "Note");
        var registry = new EventRegistry();
        registry.Register(note);
        var router = new EventRouter(registry, _metrics, Sys.Log);
        var (sessionA, sessionB, plugin) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());

        // Two subscribers that read frames (external plugins' sessions, node links) and one plugin.
        router.Table = new RoutingTable([new(sessionA.Ref, ["Note"u8.ToArray()], ReadsFrames: true),
            new(sessionB.Ref, ["Note"u8.ToArray()], ReadsFrames: true), new(plugin.Ref, ["Note"u8.ToArray()])], []);
        Assert.True(router.Table.RouteFor(note).KeepsFrame);
        Assert.Equal(3, router.Publish(note, "hello", _credit));
        Assert.Equal("Notehello"u8.ToArray(), sessionA.ExpectMsg<Delivery>().Frame);
        Assert.Equal("Notehello"u8.ToArray(), sessionB.ExpectMsg<Delivery>().Frame);
        Assert.Equal("Notehello"u8.ToArray(), plugin.ExpectMsg<Delivery>().Frame);
        Assert.Equal(1, codec.Encodes);

        // Plugins only: nobody reads the frame, nothing is encoded (and a delivery keeps none).
        router.Table = new RoutingTable([new(plugin.Ref, ["Note"u8.ToArray()])], []);
        Assert.False(router.Table.RouteFor(note).KeepsFrame);
        Assert.Equal(1, router.Publish(note, "quiet", _credit));
        var delivery = plugin.ExpectMsg<Delivery>();
        Assert.Equal("quiet", delivery.Event);
        Assert.Equal(1, codec.Encodes);
        Assert.Equal("Notequiet"u8.ToArray(), delivery.Frame); // read anyway (a poison event, the TestKit): encoded then
    }

    [Fact]
    public void A_routing_table_keeps_one_route_per_event_type()
    {
        var table = new RoutingTable([new SubscriberEntry(TestActor, ["TypeA"u8.ToArray()])], []);
        Assert.Same(table.RouteFor(TypeA.Definition), table.RouteFor(TypeA.Definition));
        Assert.Same(table.RouteForRaw(), table.RouteForRaw());
        Assert.False(table.RouteFor(TypeA.Definition).NeedsFrame); // local subscribers of the whole type: no encoding needed
        Assert.True(table.RouteForRaw().NeedsFrame);
        Assert.Empty(RoutingTable.Empty.RouteFor(TypeA.Definition).Always);
    }

    [Fact]
    public void A_decoded_frame_keeps_its_bytes_as_received_and_is_not_re_encoded()
    {
        var subscribers = new List<SubscriberEntry>();
        var counts = Subscriber(subscribers, "TypeB");
        Route(subscribers);
        Assert.Equal(1, _router.PublishFromNode("TypeB007"u8.ToArray(), _credit, "node-2"));
        var delivery = counts.ExpectMsg<Delivery>();
        Assert.Equal(new TypeB(7), delivery.Event);
        Assert.Equal("TypeB007"u8.ToArray(), delivery.Frame); // re-encoding would give "TypeB7"
        Assert.Equal("TypeB7"u8.ToArray(), new Delivery(new TypeB(7), TypeB.Definition, _credit).Frame);
    }

    [Fact]
    public void Publications_and_deliveries_are_counted_per_type_a_frame_of_no_type_as_raw_and_an_undecodable_frame_as_dropped()
    {
        using var metrics = new MetricsRecorder(_metrics);
        var subscribers = new List<SubscriberEntry>();
        var typed = Subscriber(subscribers, "TypeA");
        var typedToo = Subscriber(subscribers, "TypeA");
        var sensors = Subscriber(subscribers, "Sensor");
        Route(subscribers);

        _router.Publish(TypeA.Definition, new TypeA("by a plugin"), _credit, publisher: "Alarm");
        _router.PublishFrame("TypeAfrom outside"u8.ToArray(), _credit, toWire: false, publisher: "wire");
        _router.PublishFrame("Sensor1 ok"u8.ToArray(), _credit, toWire: false, publisher: "wire");
        _router.PublishFrame("TypeBseventeen"u8.ToArray(), _credit, toWire: false, publisher: "wire");

        Assert.Equal(1, metrics.Sum("event_engine.events.published", "publisher", "Alarm"));
        Assert.Equal(2, metrics.Sum("event_engine.events.published", "event_type", "TypeA")); // a frame decodes to its type...
        Assert.Equal(4, metrics.Sum("event_engine.events.delivered", "event_type", "TypeA")); // ...and takes the type's route
        Assert.Equal(1, metrics.Sum("event_engine.events.published", "event_type", "raw"));
        Assert.Equal(1, metrics.Sum("event_engine.events.delivered", "event_type", "raw"));
        Assert.Equal(3, metrics.Sum("event_engine.events.published"));
        Assert.Equal(5, metrics.Sum("event_engine.events.delivered"));
        Assert.Equal(1, metrics.Sum("event_engine.events.undecodable", "event_type", "TypeB"));
        Assert.Equal(1, metrics.Sum("event_engine.events.dropped", "reason", "undecodable"));
        Assert.Equal(new object[] { new TypeA("by a plugin"), new TypeA("from outside") }, new[] { Received(typed), Received(typed) });
        Assert.Equal(new object[] { new TypeA("by a plugin"), new TypeA("from outside") }, new[] { Received(typedToo), Received(typedToo) });
        Assert.Equal("RawEvent(Sensor1 ok)", Received(sensors).ToString());
    }

    [Fact]
    public void A_frame_from_another_node_is_marked_so_and_its_publish_span_is_the_deliverys_trace_parent()
    {
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var subscribers = new List<SubscriberEntry>();
        var local = Subscriber(subscribers, "TypeB");
        Route(subscribers, "TypeB");

        Assert.Equal(1, _router.PublishFromNode("TypeB1"u8.ToArray(), _credit, "node-2"));
        _router.PublishFrame("TypeB2"u8.ToArray(), _credit, toWire: true, "wire");
        var fromNode = local.ExpectMsg<Delivery>();
        var fromWire = local.ExpectMsg<Delivery>();
        Assert.True(fromNode.FromOtherNode);
        Assert.False(fromWire.FromOtherNode);
        Assert.Equal(new[] { "TypeB1", "TypeB2" }, _wire); // a node's frame still reaches this node's outside subscribers
        foreach (var span in new[] { fromNode.TraceParent, fromWire.TraceParent })
        {
            Assert.NotNull(span);
            Assert.Equal("publish TypeB", span.OperationName);
            Assert.Equal("", span.GetTagItem("event_engine.node")); // a router of no named node names none
        }
        Assert.NotSame(fromNode.TraceParent, fromWire.TraceParent);
    }
}
