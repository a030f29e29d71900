using System.Collections.Concurrent;
using System.Diagnostics;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

public class TracingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string Node = "tracing-" + Guid.NewGuid().ToString("N")[..8];

    public TracingTests() : base(TestConfig.Engine(), Node) { }

    [Fact]
    public async Task Publish_handle_reaction_publish_and_its_handle_are_one_trace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = RecordSpans(spans);

        // MsgProducer publishes TypeA; Counter handles it and publishes TypeB in reaction; MsgProducer handles that.
        var engine = EventEngine.Start(Sys, e => e.AddExamplePlugins());
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));

        AwaitCondition(() => spans.Count(s => s.DisplayName == "handle TypeB") == MsgProducer.Messages, TimeSpan.FromSeconds(10));
        foreach (var (handleB, _, handleA, publishA) in Chains(spans, "TypeA", "TypeB"))
        {
            Assert.Equal(("MsgProducer", "Counter"), ((string?)handleB.GetTagItem("event_engine.plugin"), (string?)handleA.GetTagItem("event_engine.plugin")));
            Assert.Equal("TypeA", publishA.GetTagItem("event_engine.event_type"));
            Assert.Equal(ActivityKind.Producer, publishA.Kind);
            Assert.Equal(ActivityKind.Consumer, handleA.Kind);
        }
        Assert.Equal(MsgProducer.Messages, spans.Select(s => s.TraceId).Distinct().Count()); // one trace per TypeA
    }

    /// <summary>Async handlers (<c>Subscribe&lt;T&gt;(Func&lt;T, Task&gt;)</c>): the handle span lasts until the task completes,
    /// and what the handler publishes after an await is its child.</summary>
    private sealed class AsyncResponder : EventPlugin
    {
        public AsyncResponder() => Subscribe<Ping>(async p =>
        {
            await Task.Delay(20);
            Publish(new Alpha(p.N.ToString()));
        });
    }

    private sealed class AsyncSink : EventPlugin
    {
        public AsyncSink(ConcurrentQueue<string> seen) => Subscribe<Alpha>(async a =>
        {
            await Task.Yield();
            seen.Enqueue(a.Text);
        });
    }

    [Fact]
    public async Task Async_handlers_get_handle_spans_and_their_reactions_join_the_trace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = RecordSpans(spans);
        var seen = new ConcurrentQueue<string>();
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<AsyncResponder>("responder").AddPlugin<AsyncSink>("sink", seen));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));
        for (var n = 1; n <= 3; n++) engine.Publish(new Ping(n));

        AwaitCondition(() => spans.Count(s => s.DisplayName == "handle Alpha") == 3, TimeSpan.FromSeconds(20));
        foreach (var (handleAlpha, publishAlpha, handlePing, _) in Chains(spans, "Ping", "Alpha"))
        {
            Assert.Equal(("sink", "responder"), ((string?)handleAlpha.GetTagItem("event_engine.plugin"), (string?)handlePing.GetTagItem("event_engine.plugin")));
            // The handle span ends with the handler's task, after the reaction it published past its await.
            Assert.True(handlePing.StartTimeUtc + handlePing.Duration >= publishAlpha.StartTimeUtc + publishAlpha.Duration,
                $"handle Ping ended {handlePing.StartTimeUtc + handlePing.Duration:O}, before its reaction's publish ended");
        }
        Assert.Equal(3, spans.Select(s => s.TraceId).Distinct().Count()); // one trace per Ping: nothing leaked between runs
    }

/// <summary>A synchronous handler that fails on Ping 2, an async one that fails after an await on Alpha "2".</summary>
    private sealed class FailingHandlers : EventPlugin
    {
        public FailingHandlers()
        {
            Subscribe<Ping>(p =>
            {
                if (p.N == 2) throw new InvalidOperationException("sync handler failed on 2");
            });
            Subscribe<Alpha>(async a =>
            {
                await Task.Yield();
                await Task.Delay(1);
                if (a.Text == "2") throw new FormatException("async handler failed on 2");
            });
        }
    }

    [Fact]
    public async Task A_handler_that_fails_marks_its_handle_span_as_an_error_with_the_exception()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = RecordSpans(spans);
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<FailingHandlers>("failing"));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));
        for (var n = 1; n <= 3; n++)
        {
            engine.Publish(new Ping(n));
            engine.Publish(new Alpha(n.ToString()));
        }

        AwaitCondition(() => spans.Count(s => s.DisplayName is "handle Ping" or "handle Alpha") == 6, TimeSpan.FromSeconds(20));
        foreach (var (type, exception, message) in new[]
                 {
                     ("Ping", typeof(InvalidOperationException), "sync handler failed on 2"),
                     ("Alpha", typeof(FormatException), "async handler failed on 2"),
                 })
        {
            var handles = spans.Where(s => s.DisplayName == $"handle {type}").ToList();
            var failed = Assert.Single(handles, s => s.Status == ActivityStatusCode.Error);
            Assert.Equal(message, failed.StatusDescription);
            var recorded = Assert.Single(failed.Events, e => e.Name == "exception");
            var tags = recorded.Tags.ToDictionary(t => t.Key, t => t.Value);
            Assert.Equal(exception.FullName, tags["exception.type"]);
            Assert.Equal(message, tags["exception.message"]);
            Assert.All(handles.Where(s => s != failed), s => Assert.Equal(ActivityStatusCode.Unset, s.Status)); // the others succeeded
        }
    }

    [Fact]
    public async Task Nothing_is_traced_while_a_listener_samples_nothing()
    {
        var created = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStarted = _ => Interlocked.Increment(ref created),
        };
        ActivitySource.AddActivityListener(listener);
        using var metrics = new MetricsRecorder(); // before the start: the example's producer starts with it
        var engine = EventEngine.Start(Sys, e => e.AddExamplePlugins());
        metrics.Watch(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(30));
        AwaitCondition(() => metrics.Sum("event_engine.events.delivered", "event_type", "TypeB") == MsgProducer.Messages, TimeSpan.FromSeconds(10));
        Assert.Equal(0, created);
    }

    /// <summary>Off means no cost: with no listener, what each event runs for tracing creates nothing and allocates nothing.</summary>
    [Fact]
    public void Without_a_listener_the_tracing_of_an_event_allocates_nothing()
    {
        static void OneEvent()
        {
            using var publish = EngineTracing.StartPublish("TypeA", Node);                  // EventRouter.Publish
            Assert.Null(publish);                                                            // nobody listens
            var parent = EngineTracing.TraceparentOf(publish);                               // a traced fetch
            using var handle = EngineTracing.StartHandle(publish, "TypeA", "Counter", Node); // EventPlugin.Handle
            EngineTracing.EndDetached(handle, failure: null);                                // an async handler's end
            Assert.Null(parent);
        }

        OneEvent(); // JIT and statics first
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) OneEvent();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// For each span <c>handle {reaction}</c>: its publish span, the handle span that published it and that one's publish
    /// span, checked to be one trace that the cause's publish begins.
    /// </summary>
    private static List<(Activity HandleReaction, Activity PublishReaction, Activity HandleCause, Activity PublishCause)> Chains(
        IEnumerable<Activity> spans, string cause, string reaction)
    {
        var byId = spans.ToDictionary(s => s.SpanId);
        var chains = new List<(Activity, Activity, Activity, Activity)>();
        foreach (var handleReaction in byId.Values.Where(s => s.DisplayName == $"handle {reaction}"))
        {
            var publishReaction = byId[handleReaction.ParentSpanId];
            var handleCause = byId[publishReaction.ParentSpanId];
            var publishCause = byId[handleCause.ParentSpanId];
            Assert.Equal(($"handle {reaction}", $"publish {reaction}", $"handle {cause}", $"publish {cause}"),
                (handleReaction.DisplayName, publishReaction.DisplayName, handleCause.DisplayName, publishCause.DisplayName));
            Assert.All(new[] { publishReaction, handleCause, publishCause }, s => Assert.Equal(handleReaction.TraceId, s.TraceId));
            Assert.Equal(default, publishCause.ParentSpanId); // the cause's publish (a start hook's, the host's) begins the trace
            chains.Add((handleReaction, publishReaction, handleCause, publishCause));
        }
        return chains;
    }

    private static ActivityListener RecordSpans(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if ((string?)span.GetTagItem("event_engine.node") == Node) spans.Enqueue(span);
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
