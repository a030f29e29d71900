using System.Text;
using EventEngine.Samples.Example;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>Unregistered processes on the bridge's TCP ports (best effort, as in the original).</summary>
public sealed class TcpBridgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_subscriber_on_the_subscribe_port_sees_the_events_it_subscribes_to()
    {
        await using var t = TestEngine.Start(_ => { });
        using var sub = new SubscriberSocket();
        sub.Options.Linger = TimeSpan.Zero;
        sub.Connect($"tcp://127.0.0.1:{t.Engine.SubscribePort}");
        sub.Subscribe("TypeA");

        // zmq subscriptions propagate asynchronously: publish until one arrives (bounded).
        string? frame = null;
        var deadline = DateTime.UtcNow + Bound;
        while (frame is null && DateTime.UtcNow < deadline)
        {
            t.Engine.Publish(new TypeB(1)); // not subscribed: never seen
            t.Engine.Publish(new TypeA("over tcp"));
            sub.TryReceiveFrameString(TimeSpan.FromMilliseconds(100), out frame);
        }
        Assert.Equal("TypeAover tcp", frame);
        while (sub.TryReceiveFrameString(TimeSpan.FromMilliseconds(50), out var more)) Assert.StartsWith("TypeA", more);
    }

    [Fact]
    public async Task A_publisher_on_the_publish_port_reaches_internal_plugins()
    {
        var received = new Received();
        await using var t = TestEngine.Start(e => e.AddPlugin<Collector>("Collector", received, "Tcp"));
        await t.Engine.Started.WaitAsync(Bound);
        using var pub = new PublisherSocket();
        pub.Options.Linger = TimeSpan.Zero;
        pub.Connect($"tcp://127.0.0.1:{t.Engine.PublishPort}");

        var deadline = DateTime.UtcNow + Bound;
        while (received.Count == 0 && DateTime.UtcNow < deadline)
        {
            pub.SendFrame(Encoding.UTF8.GetBytes("TypeAfrom a pub socket"));
            await Task.Delay(20);
        }
        Assert.Contains("TypeAfrom a pub socket", received.Items);
        pub.SendFrame("Tcp raw frame");
        await Wait.Until(() => received.Items.Contains("Tcp raw frame"), "the raw frame");
    }
}
