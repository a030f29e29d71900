using System.CommandLine;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Actors.Codecs;
using EventEngine.Actors.Events;
using EventEngine.Actors.Gateway;
using NetMQ;

// The engine side of the external-plugin receive benchmark: one external plugin "Bench" subscribed to "Bench";
// once it has connected (its first request passes the start-up barrier), the host publishes --events events of
// --size bytes (filter included) as fast as flow control lets it. The engine exits when the plugin quits.
var events = new Option<long>("--events") { Description = "Events to publish", DefaultValueFactory = _ => 1_000_000 };
var size = new Option<int>("--size") { Description = "Bytes per event frame, filter included", DefaultValueFactory = _ => 200 };
var pluginPort = new Option<int>("--plugin-port") { Description = "Port of the Bench plugin (0 = ephemeral)", DefaultValueFactory = _ => 0 };
var root = new RootCommand("Engine side of the external-plugin receive-rate benchmark") { events, size, pluginPort };
root.SetAction(async (parse, cancel) =>
{
    var count = parse.GetValue(events);
    var payload = new byte[Math.Max(0, parse.GetValue(size) - BenchEvent.Definition.Filter.Length)];
    Array.Fill(payload, (byte)'x');
    var config = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        event-engine.wire { publish-port = 0, subscribe-port = 0 }
        """);
    var exit = await EventEngineApplication.RunAsync(
        engine => engine
            .AddEventType(BenchEvent.Definition)
            .AddExternalPlugin("Bench", parse.GetValue(pluginPort), ["Bench"]),
        config,
        engine =>
        {
            Console.WriteLine($"ready {engine.ExternalPluginPort("Bench")}");
            engine.Started.ContinueWith(async _ =>
            {
                var e = new BenchEvent(payload); // immutable: one instance serves every publication
                for (long i = 0; i < count; i++) await engine.PublishAsync(e);
            }, TaskScheduler.Default);
        },
        "gateway-bench");
    NetMQConfig.Cleanup(block: false);
    return exit;
});
return await root.Parse(args).InvokeAsync();

/// <summary>A benchmark event: filter <c>Bench</c>, then opaque bytes.</summary>
internal sealed record BenchEvent(byte[] Payload)
{
    public static EventType<BenchEvent> Definition { get; } =
        EventType.Create(new RawBytesCodec<BenchEvent>(e => e.Payload, b => new BenchEvent(b)), name: "Bench");
}
