using EventEngine.Samples.Example;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>The original example's plugins, tested alone the way a user would.</summary>
public class CounterTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void Subscribes_to_TypeA_only()
    {
        var counter = StartPlugin<Counter>();

        Assert.Equal(["TypeA"], counter.Subscriptions);
        Assert.True(counter.IsSubscribedTo<TypeA>());
        Assert.False(counter.IsSubscribedTo<TypeB>());
    }

    [Fact]
    public void Answers_each_TypeA_with_its_length_as_TypeB()
    {
        var counter = StartPlugin<Counter>();

        counter.Deliver(new TypeA("This is message 0"), new TypeA("hi"));

        counter.ExpectPublished(new TypeB(17));
        counter.ExpectPublished(new TypeB(2));
        counter.ExpectNoPublished(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Publishes_TypeB_in_the_original_decimal_layout()
    {
        var counter = StartPlugin<Counter>();

        counter.Deliver(new TypeA("abc"));

        Assert.Equal("TypeB3", counter.ExpectPublishedEvent().FrameText);
    }

    [Fact]
    public void Finishes_after_five_messages()
    {
        var counter = StartPlugin<Counter>();

        for (var i = 0; i < MsgProducer.Messages; i++) counter.Deliver(new TypeA($"This is message {i}"));

        Assert.All(counter.ExpectPublishedMany<TypeB>(5), b => Assert.Equal(17, b.Count));
        counter.ExpectFinished();
        Assert.Empty(counter.Subscriptions);
    }
}

public class MsgProducerTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void Publishes_five_TypeA_when_started()
    {
        var producer = StartPlugin<MsgProducer>();

        var published = producer.ExpectPublishedMany<TypeA>(5);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"This is message {i}"), published.Select(a => a.Text));
        Assert.Equal("TypeAThis is message 0", producer.Published[0].FrameText);
    }

    [Fact]
    public async Task Publishes_nothing_before_the_start_up_barrier_passes()
    {
        var producer = StartPlugin<MsgProducer>(new PluginTestOptions { HoldStart = true });
        Assert.Equal(["TypeB", "TypeC"], producer.Subscriptions);

        producer.ExpectNoPublished(TimeSpan.FromMilliseconds(300));
        Assert.False(producer.Started.IsCompleted);

        producer.StartPlugins();
        producer.ExpectPublishedMany<TypeA>(5);
        await producer.Started.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Finishes_after_five_TypeB_and_one_TypeC()
    {
        var producer = StartPlugin<MsgProducer>();
        producer.ExpectPublishedMany<TypeA>(5);

        for (var i = 0; i < 5; i++) producer.Deliver(new TypeB(17));
        Assert.Throws<EventExpectationException>(() => producer.ExpectFinished(TimeSpan.FromMilliseconds(300)));

        producer.Deliver(new TypeC("from an external plugin"));
        producer.ExpectFinished();
        Assert.True(producer.IsFinished);
    }
}

/// <summary>The whole example engine in process, with a real bridge on ephemeral ports.</summary>
public class ExampleEngineTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void Runs_the_example_to_completion_once_an_external_TypeC_arrives()
    {
        var engine = StartEngine(e => e.AddExamplePlugins());
        Assert.True(engine.PublishPort > 0 && engine.SubscribePort > 0);

        engine.PublishOverWire(new TypeC("external")); // through the TCP publish port, as another process

        engine.ExpectCompleted(TimeSpan.FromSeconds(10));
        var published = engine.Published.Select(p => p.Event).ToList();
        Assert.Equal(5, published.OfType<TypeA>().Count());
        Assert.Equal(Enumerable.Repeat(new TypeB(17), 5), published.OfType<TypeB>());
    }
}
