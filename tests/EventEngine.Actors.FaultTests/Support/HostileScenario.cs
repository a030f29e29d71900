using System.Text;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>
/// The frame of every hostile-peer test: an engine with two registered external plugins (Victim, whose port is
/// attacked, and Bystander) and an internal plugin (Collector), all subscribed to TypeA. While the attack runs, the
/// host publishes TypeA 0..N-1; afterwards a well-behaved plugin on the Victim's port, the Bystander and the
/// Collector must each get every one of those events, in order, and nothing else.
/// </summary>
internal static class HostileScenario
{
    public const int Events = 1000;

    public static readonly byte[] Reserved = Encoding.ASCII.GetBytes("plugin_command: ");

    /// <summary>Raw frames starting with <c>Marker</c> (a well-behaved publisher's), recorded by the Markers plugin of the running scenario.</summary>
    public static Received<string> Markers(TestEngine t) => MarkerLists.TryGetValue(t, out var m) ? m : throw new InvalidOperationException("not a running scenario");

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TestEngine, Received<string>> MarkerLists = new();

    public static async Task Run(Func<TestEngine, Task> attack, Action<TestEngine>? verify = null, string hocon = "")
    {
        var collected = new Received<string>();
        var markers = new Received<string>();
        await using var t = TestEngine.Start(e => e
            .AddExternalPlugin("Victim", 0, ["TypeA"])
            .AddExternalPlugin("Bystander", 0, ["TypeA"])
            .AddPlugin<TextCollector>("Collector", collected, null!)
            .AddPlugin<RawCollector>("Markers", markers, "Marker"), hocon);
        MarkerLists.Add(t, markers);
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
