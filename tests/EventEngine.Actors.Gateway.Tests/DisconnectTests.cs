using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>event-engine.gateway.on-disconnect-timeout: what happens to a plugin that goes away and stays away.</summary>
public sealed class DisconnectTests
{
    [Fact]
    public async Task By_default_a_disconnected_plugin_keeps_its_events_and_gets_them_when_it_comes_back()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]), "event-engine.gateway.disconnect-timeout = 200ms");
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(TimeSpan.FromSeconds(20));
        using (var peer = t.Peer("Py"))
        {
            t.Engine.Publish(new TypeA("handed out, never acknowledged"));
            Assert.Equal("TypeAhanded out, never acknowledged", peer.NextMsg());
        }
        await Wait.Until(() => t.Log.Contains("Py", "still keeping its events"), () => "the keep-queueing warning\n" + t.Log.Dump());
        t.Engine.Publish(new TypeA("while away"));

        using var back = t.Peer("Py");
        Assert.Equal(["TypeAhanded out, never acknowledged", "TypeAwhile away"], back.Take(2));
        Assert.False(t.Engine.Completion.IsCompleted);
    }

    [Fact]
    public async Task With_drop_and_finish_a_disconnected_plugin_is_dropped_and_counts_as_finished()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]), """
            event-engine.gateway { disconnect-timeout = 200ms, on-disconnect-timeout = drop-and-finish }
            """);
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(TimeSpan.FromSeconds(20));
        using (var peer = t.Peer("Py"))
        {
            t.Engine.Publish(new TypeA("lost with the plugin"));
            Assert.Equal("TypeAlost with the plugin", peer.NextMsg());
        }
        await t.Engine.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        await Wait.Until(() => t.Log.Contains("Py", "dropping its events"), () => "the drop error\n" + t.Log.Dump());

        using var back = t.Peer("Py");
        Assert.Equal("event-engine: bad msg: plugin Py was dropped after its disconnect timeout; its session is over", back.NextMsg());
    }
}
