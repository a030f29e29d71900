using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 4: a handler that throws on a socket thread is logged and counted; the thread and the process live on.</summary>
public sealed class PollerFaultTests
{
    [Fact]
    public async Task A_handler_that_throws_on_the_bridge_socket_thread_is_counted_and_the_thread_keeps_forwarding()
    {
        using var metrics = new EngineMetrics("poller-fault");
        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "event_engine.poller.failures") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();
        var received = new ConcurrentQueue<string>();
        using var wire = new WireLink(new WireSettings(true, "127.0.0.1", 0, 0, 1000, 1 << 20), $"poller-fault-{Guid.NewGuid():N}",
            new CreditWindow("wire", 1000, 500), frame =>
            {
                var text = Encoding.ASCII.GetString(frame);
                if (text == "boom") throw new InvalidOperationException("a handler bug");
                received.Enqueue(text);
            }, Akka.Event.NoLogger.Instance, metrics: metrics);
        wire.Start(_ => { });

        using var publisher = new PublisherSocket();
        publisher.Options.Linger = TimeSpan.Zero;
        publisher.Connect($"tcp://127.0.0.1:{wire.PublishPort}");
        // A PUB drops what it sends before the connection is up: send "boom" and "after" until "after" arrives.
        await Wait.Until(() =>
        {
            publisher.SendFrame("boom");
            publisher.SendFrame("after");
            return received.Contains("after");
        }, "a frame sent after the failing one");

        Assert.True(Interlocked.Read(ref failures) >= 1, "the failure was not counted");
    }
}
