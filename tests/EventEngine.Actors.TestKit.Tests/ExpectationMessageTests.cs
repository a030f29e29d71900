using EventEngine.Samples.Example;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>A plugin bug makes the test fail with a message naming the expected and the actual event.</summary>
public class ExpectationMessageTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    private readonly ITestOutputHelper _output = output;

    private EventExpectationException Fails(Action expectation)
    {
        var failure = Assert.Throws<EventExpectationException>(expectation);
        _output.WriteLine(failure.Message);
        return failure;
    }

    [Fact]
    public void A_wrong_event_names_expected_and_actual()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("four"));

        var failure = Fails(() => counter.ExpectPublished(new TypeB(5)));

        Assert.Equal("Expected Counter to publish TypeB { Count = 5 }, but the next event it published was TypeB { Count = 4 } (frame \"TypeB4\").", failure.Message);
    }

    [Fact]
    public void A_wrong_event_type_names_expected_and_actual()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("four"));

        var failure = Fails(() => counter.ExpectPublished<TypeC>());

        Assert.Equal("Expected Counter to publish a TypeC, but the next event it published was TypeB { Count = 4 } (frame \"TypeB4\").", failure.Message);
    }

    [Fact]
    public void A_failed_condition_quotes_the_condition()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("four"));

        var failure = Fails(() => counter.ExpectPublished<TypeB>(b => b.Count > 10));

        Assert.Equal("Expected Counter to publish a TypeB matching b => b.Count > 10, but the next event it published was TypeB { Count = 4 } (frame \"TypeB4\").", failure.Message);
    }

    [Fact]
    public void A_wrong_count_names_what_was_published()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("a"), new TypeA("bb"));

        var failure = Fails(() => counter.ExpectPublishedMany<TypeB>(3, TimeSpan.FromMilliseconds(500)));

        Assert.StartsWith("Expected Counter to publish 3 TypeB events within ", failure.Message);
        Assert.EndsWith(", but it published 2: TypeB { Count = 1 } (frame \"TypeB1\"), TypeB { Count = 2 } (frame \"TypeB2\").", failure.Message);
    }

    [Fact]
    public void Too_many_events_name_the_extra_one()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("a"), new TypeA("bb"));
        counter.ExpectPublished(new TypeB(1));

        var failure = Fails(() => counter.ExpectNoPublished(TimeSpan.FromSeconds(2)));

        Assert.StartsWith("Expected Counter to publish nothing for ", failure.Message);
        Assert.EndsWith(", but it published TypeB { Count = 2 } (frame \"TypeB2\").", failure.Message);
    }

    [Fact]
    public void Nothing_published_says_so_and_lists_the_earlier_events()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("a"));
        counter.ExpectPublished(new TypeB(1));

        var failure = Fails(() => counter.ExpectPublished(new TypeB(2), TimeSpan.FromMilliseconds(200)));

        Assert.Equal("Expected Counter to publish TypeB { Count = 2 } within 200ms, but it published nothing more (earlier: TypeB { Count = 1 } (frame \"TypeB1\")).", failure.Message);
    }

    [Fact]
    public void A_codec_that_does_not_round_trip_a_published_event_names_both_events()
    {
        var publisher = StartPlugin<LossyPublisher>();

        var failure = Fails(() => publisher.ExpectPublished(new Lossy(42)));

        Assert.Equal("Expected LossyPublisher to publish Lossy { Value = 42 }; it published Lossy { Value = 42 } (frame \"Lossy42\"), " +
                     "but Lossy's codec does not round-trip it: the frame \"Lossy42\" decodes as Lossy { Value = 0 }. (Set CodecRoundTrip = false to skip this check.)",
            failure.Message);
    }

    [Fact]
    public void The_codec_check_can_be_turned_off()
    {
        var publisher = StartPlugin<LossyPublisher>(new PluginTestOptions { CodecRoundTrip = false });

        publisher.ExpectPublished(new Lossy(42));
    }

    [Fact]
    public void Delivering_an_event_its_codec_breaks_fails_before_the_plugin_sees_it()
    {
        var echo = StartPlugin<Echo>();

        var failure = Fails(() => echo.Engine.Publish(new Lossy(7)));

        Assert.Equal("Cannot publish Lossy { Value = 7 }: Lossy's codec does not round-trip it: the frame \"Lossy7\" decodes as Lossy { Value = 0 }. " +
                     "(Events are sent through their codec, as between processes; set CodecRoundTrip = false to deliver the instance as it is.)", failure.Message);
    }

    [Fact]
    public void A_frame_another_event_type_takes_is_reported()
    {
        var echo = StartPlugin<Echo>(new PluginTestOptions { Configure = e => e.AddEventType(ShadowedX.Definition).AddEventType(Shadowed.Definition) });

        var failure = Fails(() => echo.Engine.Publish(new Shadowed("X marks the spot")));

        Assert.Equal("Cannot publish Shadowed { Text = X marks the spot }: its frame \"ShadowX marks the spot\" is read back as event type 'ShadowX' (filter \"ShadowX\"), not as 'Shadow'. " +
                     "(Events are sent through their codec, as between processes; set CodecRoundTrip = false to deliver the instance as it is.)", failure.Message);
    }

    [Fact]
    public void Delivering_an_event_the_plugin_does_not_subscribe_to_names_its_subscriptions()
    {
        var counter = StartPlugin<Counter>();

        var failure = Fails(() => counter.Deliver(new TypeB(1)));

        Assert.Equal("Cannot deliver a TypeB to Counter: it does not subscribe to it (its subscriptions: \"TypeA\"). Use Engine.Publish(...) to publish an event regardless.", failure.Message);
    }

    [Fact]
    public void A_plugin_whose_constructor_throws_is_named_with_the_exception()
    {
        var failure = Fails(() => StartPlugin<Broken>());

        Assert.Equal("Plugin Broken could not be created: its constructor threw InvalidOperationException: no configuration for Broken", failure.Message);
    }

    [Fact]
    public void A_plugin_that_does_not_finish_says_it_is_still_running()
    {
        var counter = StartPlugin<Counter>();
        counter.Deliver(new TypeA("a"));

        var failure = Fails(() => counter.ExpectFinished(TimeSpan.FromMilliseconds(200)));

        Assert.Equal("Expected Counter to finish within 200ms, but it is still running (1 event published).", failure.Message);
    }
}
