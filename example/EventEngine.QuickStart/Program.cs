using Akka.Event;
using EventEngine.Actors;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.DependencyInjection;
using NetMQ;

// Services plugins take in their constructors (under a Generic Host: the host's services).
await using var services = new ServiceCollection().AddSingleton<INotifier, LogNotifier>().BuildServiceProvider();
var exitCode = await EventEngineApplication.RunAsync(engine => engine
    .AddPlugin<Thermometer>()
    .AddPlugin<Alarm>(), services: services);
NetMQConfig.Cleanup(block: false); // once, at process exit
return exitCode;

// An event type: a record. Its name ("Reading") is its filter on the wire; MessagePack is its default codec.
public sealed record Reading(string Sensor, double Celsius);

// The original's text layout instead (filter, then UTF-8 text), declared once on the type:
public sealed record Alert(string Text) : IEventDefinition<Alert>
{
    public static EventType<Alert> Definition { get; } = EventType.Utf8Text<Alert>(a => a.Text, s => new Alert(s));
}

// A producer: runs after the start-up barrier; PublishAsync pauses it (without blocking) when consumers fall behind.
public sealed class Thermometer : EventPlugin
{
    protected override async Task OnStartAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100; i++) await PublishAsync(new Reading("boiler", 60 + i * 0.5));
        Finish();
    }
}

// A consumer with an async handler that calls an injected service, then publishes in reaction. The plugin takes its
// next reading once the handler's task has completed; after each await the plugin's context (Publish, Log, Finish) is valid.
public sealed class Alarm : EventPlugin
{
    private int _seen;

    public Alarm(INotifier notifier)
    {
        Subscribe<Reading>(async (r, cancellationToken) =>
        {
            if (r.Celsius > 100)
            {
                await notifier.NotifyAsync($"{r.Sensor} at {r.Celsius} °C", cancellationToken);
                Publish(new Alert($"{r.Sensor} at {r.Celsius} °C"));
            }
            if (++_seen == 100) Finish();
        });
    }
}

// A service: in a real application it would page someone, call an HTTP API or write to a database.
public interface INotifier
{
    Task NotifyAsync(string message, CancellationToken cancellationToken);
}

public sealed class LogNotifier : INotifier
{
    public async Task NotifyAsync(string message, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        Console.WriteLine($"alarm: {message}");
    }
}
