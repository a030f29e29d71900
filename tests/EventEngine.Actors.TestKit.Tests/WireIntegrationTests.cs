using EventEngine.Samples.Example;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>Integration tests through the real bridge's TCP ports, as other processes use them.</summary>
public class WireIntegrationTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void An_event_from_another_process_is_answered_to_another_process()
    {
        var engine = StartEngine(e => e.AddPlugin<Counter>());
        using var subscriber = engine.SubscribeOverWire<TypeB>();

        engine.PublishOverWire(new TypeA("wire"));

        Assert.Equal(new TypeB(4), subscriber.Expect<TypeB>());
        engine.ExpectPublished(new TypeB(4));
        engine.ExpectNoPublished(TimeSpan.FromMilliseconds(200));
        subscriber.ExpectNoFrame(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Events_published_in_the_test_reach_outside_subscribers()
    {
        var engine = StartEngine(e => e.AddPlugin<Counter>());
        using var everything = engine.SubscribeOverWire();

        engine.Publish(new TypeA("abc"));

        Assert.Equal("TypeAabc", System.Text.Encoding.UTF8.GetString(everything.ExpectFrame()));
        Assert.Equal("TypeB3", System.Text.Encoding.UTF8.GetString(everything.ExpectFrame()));
    }

    [Fact]
    public void A_wrong_frame_on_the_wire_names_both()
    {
        var engine = StartEngine(e => e.AddPlugin<Counter>());
        using var everything = engine.SubscribeOverWire();

        engine.Publish(new TypeA("abc"));

        var failure = Assert.Throws<EventExpectationException>(() => everything.Expect<TypeB>());
        Assert.Equal("Expected a TypeB on the subscribe port, but received a TypeA \"TypeAabc\".", failure.Message);
    }

    [Fact]
    public void Without_a_wire_there_is_nothing_to_connect_to()
    {
        var engine = StartEngine(e => e.AddPlugin<Counter>(), new EngineTestOptions { Wire = false });

        Assert.Throws<InvalidOperationException>(() => engine.SubscribeOverWire());
    }
}
