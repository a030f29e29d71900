using Akka.Event;
using EventEngine.Actors;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using NetMQ;

var exitCode = await EventEngineApplication.RunAsync(engine => engine
    .AddPlugin<Thermometer>()
    .AddPlugin<Alarm>());
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
    protected override async Task OnStartAsync()
    {
        for (var i = 0; i < 100; i++) await PublishAsync(new Reading("boiler", 60 + i * 0.5));
        Finish();
    }
}

// A consumer that publishes in reaction.
public sealed class Alarm : EventPlugin
{
    private int _seen;

    public Alarm()
    {
        Subscribe<Reading>(r =>
        {
            if (r.Celsius > 100)
            {
                Log.Warning("{0} at {1} °C", r.Sensor, r.Celsius);
                Publish(new Alert($"{r.Sensor} at {r.Celsius} °C"));
            }
            if (++_seen == 100) Finish();
        });
    }
}
