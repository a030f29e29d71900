using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using EventEngine.Actors.Diagnostics;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>
/// Traces across the wire (docs/protocol.md, 2.3): fast mode carries an optional W3C traceparent per event to the
/// plugin (<c>next_batch ... traceparents</c>) and one per publication from it (<c>publish_batch &lt;traceparent&gt;</c>);
/// a client that does not ask gets exactly the bytes it always got.
/// </summary>
public sealed class TraceContextTests
{
    /// <summary>
    /// A pyevents plugin that continues the engine's traces: for each TypeA it publishes a TypeC with the same text
    /// and the traceparent the event came with, and prints that traceparent.
    /// </summary>
    private const string TracingPlugin = """
        from pyevents import EngineClient

        with EngineClient(trace=True) as client:
            for n, frame in enumerate(client.events(batch=10), 1):
                print("traced %s %s" % (frame.decode(), frame.traceparent), flush=True)
                client.publish(b"TypeC" + frame[len(b"TypeA"):], traceparent=frame.traceparent)
                if n == 3:
                    break
        """;

    [Fact]
    public async Task A_python_plugin_continues_the_trace_of_the_event_it_reacts_to()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = RecordSpans(spans);
        var script = Paths.Script(TracingPlugin);
        var received = new Received();
        try
        {
            await using var t = TestEngine.Start(e => e
                .AddExternalPlugin(new ExternalPlugin("PyTracer", 0, ["TypeA"])
                {
                    Interpreter = Paths.Python,
                    Command = [script],
                    Environment = new Dictionary<string, string> { ["PYTHONPATH"] = Paths.PyEvents },
                })
                .AddPlugin<Collector>("Collector", received, "NothingRaw"));
            await t.Engine.Started.WaitAsync(TimeSpan.FromSeconds(60));
            for (var i = 0; i < 3; i++) t.Engine.Publish(new TypeA(i.ToString()));

            var node = t.System.Name;
            IEnumerable<Activity> Of(string name) => spans.Where(s => s.DisplayName == name && (string?)s.GetTagItem("event_engine.node") == node);
            await Wait.Until(() => Of("handle TypeC").Count() == 3, () => $"3 handle TypeC spans, got {Of("handle TypeC").Count()}\n{t.Log.Dump()}");

            var byId = spans.ToDictionary(s => s.SpanId);
            foreach (var handleC in Of("handle TypeC"))
            {
                var publishC = byId[handleC.ParentSpanId];
                var publishA = Of("publish TypeA").Single(s => s.TraceId == handleC.TraceId);
                Assert.Equal("publish TypeC", publishC.DisplayName);
                Assert.True(publishC.HasRemoteParent, "the TypeC publish span's parent came over the wire");
                Assert.Equal((publishA.TraceId, publishA.SpanId), (publishC.TraceId, publishC.ParentSpanId));
                Assert.Equal(default, publishA.ParentSpanId); // the host's publish begins the trace
                Assert.Equal("Collector", handleC.GetTagItem("event_engine.plugin"));
            }
            Assert.Equal(3, Of("handle TypeC").Select(s => s.TraceId).Distinct().Count());
            // The plugin saw each TypeA with the traceparent of its publish span (the trace id of the C# publish span).
            // It printed that line before publishing, but its stdout reaches the log on another path than its
            // publication reaches the Collector: the line may come a little later.
            foreach (var publishA in Of("publish TypeA"))
                await Wait.Until(() => t.Log.Contains("PyTracer", $" 00-{publishA.TraceId}-{publishA.SpanId}-01"),
                    () => $"the plugin's line for {publishA.TraceId}\n{t.Log.Dump()}");
            Assert.Equal(["TypeC0", "TypeC1", "TypeC2"], received.Items.Where(i => i.StartsWith("TypeC", StringComparison.Ordinal)).Order());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_fast_mode_client_that_does_not_ask_for_traceparents_gets_the_bytes_it_always_got()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = RecordSpans(spans);
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA", "TypeC"]));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Wait.Long);
        using var peer = t.Peer("Py");

        // An older client: next_batch and publish_batch as before, while the engine traces every event.
        await Publish(t, "0", "1");
        Assert.Equal(["event-engine: batch 2", "TypeA0", "TypeA1"], Texts(peer.Request(Ascii("plugin_command: next_batch 10 5000"))));
        Assert.Equal("event-engine: batch published 1", peer.PublishBatch(["TypeCold"]));
        Assert.Equal(["event-engine: batch 1", "TypeCold"], Texts(peer.Request(Ascii("plugin_command: next_batch 10 5000"))));

        // A client that asks: the same frames, the header says a last frame follows, with one traceparent per event.
        await Publish(t, "2", "3");
        var traced = Texts(peer.Request(Ascii("plugin_command: next_batch 10 5000 traceparents")));
        Assert.Equal(["event-engine: batch 2 traceparents", "TypeA2", "TypeA3"], traced[..3]);
        var node = t.System.Name;
        var publishes = spans.Where(s => s.DisplayName == "publish TypeA" && (string?)s.GetTagItem("event_engine.node") == node).ToList();
        Assert.Equal(publishes.Skip(2).Select(s => $"00-{s.TraceId}-{s.SpanId}-01"), traced[3].Split('\n'));

        // A publication with a malformed traceparent publishes nothing.
        var entries = PluginPeer.PublishBatchRequest([Ascii("TypeCbad")])["plugin_command: publish_batch\n".Length..];
        byte[] badTraced = [.. Ascii("plugin_command: publish_batch 00-nope\n"), .. entries];
        Assert.StartsWith("event-engine: bad msg: publish_batch: '00-nope' is not a W3C traceparent", PluginPeer.Text(peer.Request(badTraced).Single()));
        Assert.Equal(["event-engine: batch 0"], Texts(peer.Request(Ascii("plugin_command: next_batch 10 500 traceparents"))));
    }

    private static Task Publish(TestEngine t, params string[] texts)
    {
        var before = t.Queued("Py");
        foreach (var text in texts) t.Engine.Publish(new TypeA(text));
        return Wait.Until(() => t.Queued("Py") == before + texts.Length, $"{texts.Length} queued events");
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string[] Texts(List<byte[]> frames) => frames.Select(PluginPeer.Text).ToArray();

    private static ActivityListener RecordSpans(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
