using System.CommandLine;
using EventEngine.Cli;
using NetMQ;
using Spectre.Console;

// eventengine: look at and drive a running engine through its ports (5559 publish, 5560 subscribe) and its dashboard.
var host = new Option<string>("--host") { Description = "The engine's host", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EVENT_ENGINE_HOST") ?? "127.0.0.1", Recursive = true };
var publishPort = new Option<int>("--publish-port") { Description = "The engine's publish port (its XSUB)", DefaultValueFactory = _ => 5559, Recursive = true };
var subscribePort = new Option<int>("--subscribe-port") { Description = "The engine's subscribe port (its XPUB)", DefaultValueFactory = _ => 5560, Recursive = true };
var dashboard = new Option<string?>("--dashboard")
{
    Description = "The engine's dashboard, e.g. http://127.0.0.1:PORT/engine (env EVENT_ENGINE_DASHBOARD)",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EVENT_ENGINE_DASHBOARD") is { Length: > 0 } url ? url : null,
    Recursive = true,
};
var curveKey = new Option<string?>("--curve-server-key")
{
    Description = "The engine's CURVE public key, Z85 (env EVENT_ENGINE_CURVE_SERVER_KEY, as pyevents)",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EVENT_ENGINE_CURVE_SERVER_KEY") is { Length: > 0 } key ? key : null,
    Recursive = true,
};
var root = new RootCommand("eventengine: look at and drive a running EventEngine.Actors engine") { host, publishPort, subscribePort, dashboard, curveKey };

EngineEndpoint Endpoint(ParseResult p) => new(p.GetValue(host)!, p.GetValue(publishPort), p.GetValue(subscribePort), p.GetValue(curveKey));
DashboardClient Dashboard(ParseResult p) => new(DashboardUri(p.GetValue(dashboard)
    ?? throw new EngineUnreachableException("no dashboard given: pass --dashboard URL or set EVENT_ENGINE_DASHBOARD (the example prints it as 'dashboard: http://127.0.0.1:PORT/engine' when run with --dashboard)")));
Task<KnownFilters> Filters(ParseResult p, string prefix) => KnownFilters.LoadAsync(p.GetValue(dashboard) is null ? null : async () =>
{
    using var client = Dashboard(p);
    return await client.FiltersAsync();
}, prefix);

var prefixArgument = new Argument<string>("PREFIX") { Description = "Frames starting with this (zmq prefix match; \"\" for all)" };
var count = new Option<int>("--count") { Description = "Stop after this many events (0 = until Ctrl+C)" };
var raw = new Option<bool>("--raw") { Description = "Print whole frames (text, or hex + printable) without decoding" };
var echo = new Command("echo", "Print each event published under PREFIX (MessagePack as JSON, text as text, else hex + printable)") { prefixArgument, count, raw };
echo.SetAction((p, cancel) => Run(async () =>
{
    var prefix = p.GetValue(prefixArgument)!;
    var filters = await Filters(p, prefix);
    using var socket = Endpoint(p).Subscriber(prefix);
    for (var seen = 0; (p.GetValue(count) == 0 || seen < p.GetValue(count)) && !cancel.IsCancellationRequested;)
    {
        if (!socket.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(200), out var frame)) continue;
        Console.WriteLine(p.GetValue(raw) ? FrameText.Payload(frame) : FrameText.Format(frame, await filters.FilterOfAsync(frame)));
        seen++;
    }
}));

var seconds = new Option<int>("--seconds") { Description = "Stop after this many reports (0 = until Ctrl+C)" };
var hzPrefix = new Argument<string>("PREFIX") { Description = "Frames starting with this" };
var hz = new Command("hz", "Print the rate of events under PREFIX each second, in total and per event type") { hzPrefix, seconds };
hz.SetAction((p, cancel) => Run(async () =>
{
    var prefix = p.GetValue(hzPrefix)!;
    var filters = await Filters(p, prefix);
    using var socket = Endpoint(p).Subscriber(prefix);
    for (var report = 0; (p.GetValue(seconds) == 0 || report < p.GetValue(seconds)) && !cancel.IsCancellationRequested; report++)
    {
        var perType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var until = DateTime.UtcNow.AddSeconds(1);
        while (DateTime.UtcNow < until)
        {
            if (!socket.TryReceiveFrameBytes(until - DateTime.UtcNow, out var frame)) break;
            var type = await filters.FilterOfAsync(frame);
            perType[type] = perType.GetValueOrDefault(type) + 1;
        }
        var types = perType.Where(t => t.Key != prefix).Select(t => $"  {t.Key} {t.Value}/s"); // per type when the dashboard told the types
        Console.WriteLine($"{prefix}: {perType.Values.Sum()}/s{string.Concat(types)}");
    }
}));

var typeArgument = new Argument<string>("TYPE") { Description = "The event type's filter (its name by default)" };
var text = new Option<string?>("--text") { Description = "Payload: UTF-8 text (the original's text layouts)" };
var json = new Option<string?>("--json") { Description = "Payload: JSON, encoded as the MessagePack map a C# record decodes" };
var file = new Option<FileInfo?>("--file") { Description = "Payload: the bytes of a file" };
var pubCount = new Option<int>("--count") { Description = "How many times to publish it", DefaultValueFactory = _ => 1 };
var rate = new Option<double>("--rate") { Description = "Events per second (0 = as fast as possible)" };
var pub = new Command("pub", "Publish an event on the publish port") { typeArgument, text, json, file, pubCount, rate };
pub.SetAction((p, cancel) => Run(async () =>
{
    var payloads = new[] { p.GetValue(text) is { } t ? System.Text.Encoding.UTF8.GetBytes(t) : null,
        p.GetValue(json) is { } j ? JsonPayload(j) : null, p.GetValue(file) is { } f ? await File.ReadAllBytesAsync(f.FullName, cancel) : null };
    if (payloads.Count(x => x is not null) != 1) throw new ArgumentException("pub needs exactly one of --text, --json, --file");
    byte[] frame = [.. System.Text.Encoding.ASCII.GetBytes(p.GetValue(typeArgument)!), .. payloads.First(x => x is not null)!];
    var endpoint = Endpoint(p);
    using var socket = endpoint.Publisher();
    var interval = p.GetValue(rate) > 0 ? TimeSpan.FromSeconds(1 / p.GetValue(rate)) : TimeSpan.Zero;
    var sent = 0;
    for (; sent < p.GetValue(pubCount) && !cancel.IsCancellationRequested; sent++)
    {
        socket.SendFrame(frame);
        if (interval > TimeSpan.Zero) await Task.Delay(interval, CancellationToken.None);
    }
    socket.Options.Linger = TimeSpan.FromSeconds(5); // let the frames leave before the socket closes
    Console.WriteLine($"published {sent} {p.GetValue(typeArgument)} event(s) ({frame.Length} bytes each) to tcp://{endpoint.Host}:{endpoint.PublishPort}");
}));

var plugins = new Command("plugins", "The engine's plugins (from its dashboard)");
plugins.SetAction(p => Run(async () => { using var d = Dashboard(p); AnsiConsole.Write(StateViews.Plugins(await d.StateAsync())); }));
var types = new Command("types", "The engine's event types with their rates (from its dashboard)");
types.SetAction(p => Run(async () => { using var d = Dashboard(p); AnsiConsole.Write(StateViews.Types(await d.StateAsync())); }));
var graph = new Command("graph", "Who publishes what, and who subscribes to it (from its dashboard)");
graph.SetAction(p => Run(async () => { using var d = Dashboard(p); AnsiConsole.Write(StateViews.Graph(await d.StateAsync())); }));
var iterations = new Option<int>("--iterations") { Description = "Stop after this many refreshes (0 = until Ctrl+C)" };
var top = new Command("top", "A live view of plugins and event types, refreshed each second") { iterations };
top.SetAction((p, cancel) => Run(async () =>
{
    using var d = Dashboard(p);
    var layout = new Grid().AddColumn();
    await AnsiConsole.Live(layout).StartAsync(async live =>
    {
        for (var i = 0; (p.GetValue(iterations) == 0 || i < p.GetValue(iterations)) && !cancel.IsCancellationRequested; i++)
        {
            var state = await d.StateAsync(cancel);
            live.UpdateTarget(new Rows(StateViews.Plugins(state), StateViews.Types(state)));
            try { await Task.Delay(TimeSpan.FromSeconds(1), cancel); } catch (OperationCanceledException) { }
        }
    });
}));

var size = new Option<int>("--size") { Description = "Payload bytes per event", DefaultValueFactory = _ => 128 };
var benchCount = new Option<int>("--count") { Description = "Events to publish", DefaultValueFactory = _ => 100_000 };
var bench = new Command("bench", "Publish/subscribe load through the engine's ports: rates and loss (like nats bench)") { size, benchCount };
bench.SetAction(p => Run(() => Task.Run(() => Bench.Run(Endpoint(p), p.GetValue(size), p.GetValue(benchCount)))));

foreach (var command in new[] { echo, hz, pub, plugins, types, graph, top, bench }) root.Subcommands.Add(command);
var exit = await root.Parse(args).InvokeAsync();
NetMQConfig.Cleanup(block: false);
return exit;

static Uri DashboardUri(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
    ? uri
    : throw new ArgumentException($"--dashboard '{url}' is not an http(s) URL (for example http://127.0.0.1:PORT/engine)");

static byte[] JsonPayload(string json)
{
    try
    {
        return MessagePack.MessagePackSerializer.ConvertFromJson(json);
    }
    catch (Exception e)
    {
        throw new ArgumentException($"--json is not valid JSON: {e.Message}");
    }
}

static async Task<int> Run(Func<Task> command)
{
    try
    {
        await command();
        return 0;
    }
    catch (Exception e) when (e is EngineUnreachableException or ArgumentException or IOException)
    {
        Console.Error.WriteLine($"eventengine: {e.Message}");
        return e is EngineUnreachableException ? 2 : 1;
    }
}
