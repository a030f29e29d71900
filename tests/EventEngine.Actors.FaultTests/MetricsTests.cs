using EventEngine.Samples.Example;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace EventEngine.Actors.FaultTests;

/// <summary>The counters and gauges that make faults visible, read with a MeterListener and with OpenTelemetry.</summary>
public sealed class MetricsTests
{
    private const string Sessions = "event_engine.gateway.sessions";
    private const string Queue = "event_engine.gateway.queue_depth";

    [Fact]
    public async Task External_sessions_and_their_queue_depth_are_gauges_and_events_a_quitting_plugin_leaves_behind_are_counted_as_dropped()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("A", 0, ["TypeA"]).AddExternalPlugin("B", 0, ["TypeA"]));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Wait.Long);
        Assert.Equal(2, t.Metrics.Gauge(Sessions, "state", "waiting"));
        Assert.Equal(0, t.Metrics.Gauge(Sessions, "state", "connected"));

        for (var i = 0; i < 300; i++) await t.Engine.PublishAsync(new TypeA($"{i}"));
        await Wait.Until(() => t.Metrics.Gauge(Queue, "plugin", "A") == 300 && t.Metrics.Gauge(Queue, "plugin", "B") == 300,
            () => $"300 queued for A ({t.Metrics.Gauge(Queue, "plugin", "A")}) and B ({t.Metrics.Gauge(Queue, "plugin", "B")})");

        using (var a = t.Peer("A"))
        {
            Assert.Equal(100, a.NextBatch(100).Count);
            await Wait.Until(() => t.Metrics.Gauge(Sessions, "state", "connected") == 1, "A connected");
            Assert.Equal(200, t.Metrics.Gauge(Queue, "plugin", "A"));
            Assert.Equal(1, t.Metrics.Gauge(Sessions, "state", "waiting"));
        }
        await Wait.Until(() => t.Metrics.Gauge(Sessions, "state", "disconnected") == 1, "A disconnected");

        using (var b = t.Peer("B"))
        {
            Assert.Equal(10, b.NextBatch(10).Count);
            b.Send("plugin_command: quit"u8.ToArray()); // acknowledges the 10 it got; the 290 still queued are never read
            await Wait.Until(() => t.Metrics.Gauge(Sessions, "state", "finished") == 1, "B finished");
        }
        await Wait.Until(() => t.Metrics.Sum("event_engine.events.dropped", "reason", "plugin-quit") == 290,
            () => "290 dropped: " + t.Metrics.Describe("event_engine.events.dropped", "reason"));
        Assert.Equal(0, t.Metrics.Gauge(Queue, "plugin", "B"));
        Assert.Equal(1, t.Metrics.Gauge(Sessions, "state", "disconnected"));
        Assert.Equal(0, t.Metrics.Gauge(Sessions, "state", "waiting"));
    }

    [Fact]
    public async Task OpenTelemetry_reads_the_engine_meter_with_one_line()
    {
        var exported = new List<(string Name, string? Tag, long Value)>();
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("EventEngine.Actors") // the one line (with the OpenTelemetry.Extensions.Hosting package: .WithMetrics(m => m.AddMeter("EventEngine.Actors")))
            .AddReader(new BaseExportingMetricReader(new Collect(exported, t.Engine.Name)))
            .Build();
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Wait.Long);
        for (var i = 0; i < 5; i++) t.Engine.Publish(new TypeA($"{i}"));
        using (var py = t.Peer("Py")) Assert.Equal("event-engine: bad msg: unknown command 'hello'", py.RequestText("plugin_command: hello"));
        await Wait.Until(() => t.Queued("Py") == 5, "5 events queued for Py");

        Assert.True(provider.ForceFlush(10_000));
        lock (exported)
        {
            Assert.Contains(("event_engine.events.published", "TypeA", 5L), exported);
            Assert.Contains(("event_engine.gateway.queue_depth", "Py", 5L), exported);
            Assert.Contains(("event_engine.gateway.bad_requests", "Py", 1L), exported);
        }
    }

    /// <summary>An exporter that keeps the points of one engine's meter (several engines share the meter name in this process).</summary>
    private sealed class Collect(List<(string Name, string? Tag, long Value)> into, string engine) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                if (!metric.MeterTags?.Any(tag => tag.Key == "engine" && Equals(tag.Value, engine)) ?? true) continue;
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    string? tag = null;
                    foreach (var t in point.Tags)
                        if (t.Key is "event_type" or "plugin") tag = t.Value?.ToString();
                    var value = metric.MetricType switch
                    {
                        MetricType.LongSum => point.GetSumLong(),
                        MetricType.LongGauge => point.GetGaugeLastValueLong(),
                        _ => -1,
                    };
                    lock (into) into.Add((metric.Name, tag, value));
                }
            }
            return ExportResult.Success;
        }
    }
}
