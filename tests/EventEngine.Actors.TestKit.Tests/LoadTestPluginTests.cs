using EventEngine.Samples.LoadTest;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>The load test's plugins, tested alone and together.</summary>
public class LoadTestPluginTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    private static readonly LoadTestPlan Plan = new(Messages: 2000, MinSize: 3, MaxSize: 12);

    [Fact]
    public void Producer_publishes_the_sawtooth_of_sizes_then_finishes()
    {
        var producer = StartPlugin<Producer>(Plan);

        var events = producer.ExpectPublishedMany<InitialMessage>((int)Plan.Messages, TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(0, (int)Plan.Messages).Select(i => Plan.SizeAt(i)), events.Select(e => e.Payload.Length));
        Assert.All(events, e => Assert.Matches("^X+$", e.Payload));
        producer.ExpectFinished();
        Assert.Equal("InitialMsgStringXXX", producer.Published[0].FrameText);
    }

    [Fact]
    public void Operator_answers_each_message_with_its_length()
    {
        var op = StartPlugin<Operator>(new LoadTestPlan(Messages: 3));
        Assert.Equal(["InitialMsgString"], op.Subscriptions);

        op.Deliver(new InitialMessage("XXXX"), new InitialMessage(""), new InitialMessage(new string('X', 1000)));

        op.ExpectPublished(new OperatorMessage(4));
        op.ExpectPublished(new OperatorMessage(0));
        Assert.Equal("OperatorMsg1000", op.ExpectPublishedEvent().FrameText);
        op.ExpectFinished();
    }

    [Fact]
    public async Task Accumulator_reports_the_sum_once_it_has_seen_the_plan()
    {
        var plan = new LoadTestPlan(Messages: 4);
        var result = new TaskCompletionSource<LoadTestResult>();
        var accumulator = StartPlugin<Accumulator>(plan, result);

        accumulator.Deliver(new OperatorMessage(1), new OperatorMessage(2), new OperatorMessage(3));
        Assert.Throws<EventExpectationException>(() => accumulator.ExpectFinished(TimeSpan.FromMilliseconds(200)));

        accumulator.Deliver(new OperatorMessage(10));
        accumulator.ExpectFinished();
        Assert.True(result.Task.IsCompleted, "the accumulator finished without reporting its result");
        Assert.Equal(new LoadTestResult(4, 16), await result.Task);
        accumulator.ExpectNoPublished(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_three_plugins_together_sum_every_payload()
    {
        var plan = new LoadTestPlan(Messages: 20_000);
        var result = new TaskCompletionSource<LoadTestResult>();
        var engine = StartEngine(e => e.AddLoadTest(plan, result), new EngineTestOptions { Wire = false, CodecRoundTrip = false });

        engine.ExpectCompleted(TimeSpan.FromSeconds(30));

        Assert.True(result.Task.IsCompleted, "the engine completed without the accumulator reporting its result");
        Assert.Equal(new LoadTestResult(plan.Messages, plan.ExpectedSum()), await result.Task);
        Assert.Equal(2 * plan.Messages, engine.Published.Count);
    }
}
