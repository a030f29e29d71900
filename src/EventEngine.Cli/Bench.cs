using System.Diagnostics;
using NetMQ;

namespace EventEngine.Cli;

/// <summary><c>bench</c>: one publisher and one subscriber through the engine's ports, like <c>nats bench</c>.</summary>
internal static class Bench
{
    private const string Filter = "EventEngineBench";

    public static void Run(EngineEndpoint endpoint, int size, int count)
    {
        using var subscriber = endpoint.Subscriber(Filter, receiveHighWaterMark: count + 1000); // measure the engine, not this process's queue
        using var publisher = endpoint.Publisher(sendHighWaterMark: count + 1000);
        var frame = new byte[Filter.Length + size];
        System.Text.Encoding.ASCII.GetBytes(Filter, frame);
        WarmUp(publisher, subscriber, frame);

        var received = 0;
        var receiving = Stopwatch.StartNew();
        var reader = Task.Run(() =>
        {
            while (received < count && subscriber.TryReceiveFrameBytes(TimeSpan.FromSeconds(2), out _)) received++;
            receiving.Stop();
        });
        var publishing = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) publisher.SendFrame(frame);
        publishing.Stop();
        reader.Wait();
        var loss = count - received;
        Console.WriteLine($"publish: {count:N0} events of {size} B in {publishing.Elapsed.TotalSeconds:0.000} s = {count / publishing.Elapsed.TotalSeconds:N0} events/s");
        Console.WriteLine($"subscribe: {received:N0} events in {receiving.Elapsed.TotalSeconds:0.000} s = {received / receiving.Elapsed.TotalSeconds:N0} events/s, lost {loss:N0} ({100.0 * loss / count:0.00}%)");
    }

    /// <summary>Publishes until the subscriber sees a frame (its subscription has reached the engine), then drains.</summary>
    private static void WarmUp(NetMQSocket publisher, NetMQSocket subscriber, byte[] frame)
    {
        var deadline = DateTime.UtcNow + EngineEndpoint.ConnectTimeout;
        while (true)
        {
            publisher.SendFrame(frame);
            if (subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(100), out _)) break;
            if (DateTime.UtcNow > deadline) throw new EngineUnreachableException("the engine never forwarded the bench's events: is its wire on?");
        }
        while (subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(300), out _)) { }
    }
}
