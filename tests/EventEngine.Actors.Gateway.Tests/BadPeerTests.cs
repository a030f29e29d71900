using System.Net.Sockets;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>A bad peer gets an error reply or is dropped; the session and the engine go on.</summary>
public abstract class BadPeerTests
{
    /// <summary>event-engine.gateway.plugin-transport of every engine in these tests.</summary>
    protected abstract string Transport { get; }

    private TestEngine Start(Action<EventEngineBuilder> configure, string hocon = "") =>
        TestEngine.Start(configure, $"{hocon}\nevent-engine.gateway.plugin-transport = {Transport}");

    [Fact]
    public async Task A_frame_over_the_size_limit_drops_its_sender_and_the_session_serves_the_next_peer()
    {
        await using var t = Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]), "event-engine.wire.max-message-size = 1KiB");
        using (var huge = t.Peer("Py"))
        {
            huge.Send(new byte[4096]);
            Assert.Null(huge.Receive(TimeSpan.FromMilliseconds(300)));
        }
        using var peer = t.Peer("Py");
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(TimeSpan.FromSeconds(20));
        t.Engine.Publish(new TypeA("still here"));
        Assert.Equal("TypeAstill here", peer.NextMsg());
    }

    [Fact]
    public async Task Garbage_on_the_plugin_port_is_dropped_and_the_session_serves_the_next_peer()
    {
        await using var t = Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", t.PortOf("Py"));
            var junk = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray();
            await tcp.GetStream().WriteAsync(junk);
        }
        using var peer = t.Peer("Py");
        Assert.Equal("event-engine: msg published", peer.RequestText("TypeAfine"));
        Assert.Equal("TypeAfine", peer.NextMsg());
    }
}

public sealed class BadPeerOnNetMqTests : BadPeerTests
{
    protected override string Transport => "netmq";
}

public sealed class BadPeerOnLeanTests : BadPeerTests
{
    protected override string Transport => "lean";
}
