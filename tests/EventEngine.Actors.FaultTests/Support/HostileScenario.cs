using System.Text;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>
/// The frame of every hostile-peer test: an engine with two registered external plugins (Victim, whose port is
/// attacked, and Bystander) and an internal plugin (Collector), all subscribed to TypeA. While the attack runs, the
/// host publishes TypeA 0..N-1; afterwards a well-behaved plugin on the Victim's port, the Bystander and the
/// Collector must each get every one of those events, in order, and nothing else. An internal plugin subscribed to
/// every raw frame (Everything) is there for whatever the attack gets through, and must go on working too.
/// </summary>
internal static class HostileScenario
{
    public const int Events = 1000;

    public static readonly byte[] Reserved = Encoding.ASCII.GetBytes("plugin_command: ");

    /// <summary>Raw frames starting with <c>Marker</c> (a well-behaved publisher's), recorded by the Markers plugin of the running scenario.</summary>
    public static Received<string> Markers(TestEngine t) => Of(t).Markers;

    /// <summary>Every raw frame the running scenario's engine delivered, byte for byte, as its Everything plugin got them.</summary>
    public static Received<byte[]> Everything(TestEngine t) => Of(t).Everything;

    /// <summary>Asserts that the Everything plugin got exactly <paramref name="expected"/>, byte for byte and in order (once as many arrived).</summary>
    public static void ExpectEverything(TestEngine t, IReadOnlyList<byte[]> expected)
    {
        var everything = Everything(t);
        Wait.Until(() => everything.Count >= expected.Count, () => $"{expected.Count} raw frames at the Everything plugin (has {everything.Count})").GetAwaiter().GetResult();
        Assert.Equal(expected, everything.Items);
    }

    /// <summary>Asserts that every raw publication the engine counted reached the Everything plugin, which handled them unharmed.</summary>
    public static void ExpectEveryRawPublicationDelivered(TestEngine t)
    {
        var everything = Everything(t);
        long Published() => t.Metrics.Sum("event_engine.events.published", "event_type", "raw");
        Wait.Until(() => everything.Count == Published(), () => $"the {Published()} raw publications at the Everything plugin (has {everything.Count})").GetAwaiter().GetResult();
        Assert.Equal(0, t.Metrics.Sum("event_engine.plugin.restarts", "plugin", "Everything"));
    }

    private sealed record Observers(Received<string> Markers, Received<byte[]> Everything);

    private static Observers Of(TestEngine t) => Running.TryGetValue(t, out var o) ? o : throw new InvalidOperationException("not a running scenario");

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TestEngine, Observers> Running = new();

    public static async Task Run(Func<TestEngine, Task> attack, Action<TestEngine>? verify = null, string hocon = "")
    {
        var collected = new Received<string>();
        var markers = new Received<string>();
        var everything = new Received<byte[]>();
        await using var t = TestEngine.Start(e => e
            .AddExternalPlugin("Victim", 0, ["TypeA"])
            .AddExternalPlugin("Bystander", 0, ["TypeA"])
            .AddPlugin<TextCollector>("Collector", collected, null!)
            .AddPlugin<RawCollector>("Markers", markers, "Marker")
            .AddPlugin<RawFrameCollector>("Everything", everything), hocon);
        Running.Add(t, new Observers(markers, everything));
        using var bystander = t.Peer("Bystander");
        using (var first = t.Peer("Victim"))
        {
            Assert.Empty(first.NextBatch(1, waitMs: 0)); // both external plugins showed up: the barrier passes
            Assert.Empty(bystander.NextBatch(1, waitMs: 0));
        }
        await t.Engine.Started.WaitAsync(Wait.Long);

        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++) await t.Engine.PublishAsync(new TypeA($"{i}"));
        });
        await attack(t);
        await publishing.WaitAsync(Wait.Long);

        var expected = Enumerable.Range(0, Events).Select(i => $"TypeA{i}").ToList();
        using (var victim = t.Peer("Victim"))
        {
            Assert.Equal(expected, victim.Take(Events));
            try { victim.ExpectNothingMore(); } catch (Exception e) { throw new Exception(e.Message + "\n" + t.Log.Dump(), e); }
        }
        Assert.Equal(expected, bystander.Take(Events));
        bystander.ExpectNothingMore();
        await Wait.Until(() => collected.Count >= Events, () => $"the Collector to get {Events} events (has {collected.Count})");
        Assert.Equal(expected, collected.Items.Select(s => "TypeA" + s));
        Assert.False(t.System.WhenTerminated.IsCompleted);
        verify?.Invoke(t);
    }

    /// <summary><paramref name="count"/> frames of <see cref="RandomFrame"/>, their sizes spread over [0, max].</summary>
    public static byte[][] RandomFrames(Random random, int count, int max)
    {
        var frames = Enumerable.Range(0, count).Select(_ => RandomFrame(random, max)).ToArray();
        Assert.InRange(frames.Sum(f => (long)f.Length), count * (max / 4L), count * (max * 3 / 4L)); // sizes really spread
        return frames;
    }

    /// <summary>Random bytes of a random length in [0, max]; never starting with a registered filter or the reserved command prefix.</summary>
    public static byte[] RandomFrame(Random random, int max)
    {
        while (true)
        {
            var frame = new byte[random.Next(0, max + 1)];
            random.NextBytes(frame);
            var span = frame.AsSpan();
            if (!span.StartsWith("TypeA"u8) && !span.StartsWith(Reserved)) return frame;
        }
    }

    /// <summary>Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, bytes that never occur.</summary>
    public static readonly byte[][] InvalidUtf8 =
    [
        [0x80], [0xBF, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xFE], [0xFF], [0xC3], [0xE2, 0x82], [0x61, 0xFF, 0x62], [0xF4, 0x90, 0x80, 0x80],
    ];
}
