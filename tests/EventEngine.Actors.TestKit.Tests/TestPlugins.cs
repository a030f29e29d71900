using Akka.Actor;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.TestKit.Tests;

public sealed record Ping(int N);

public sealed record Pong(int N);

/// <summary>An event whose codec loses the payload (a codec bug the test kit must catch).</summary>
public sealed record Lossy(int Value) : IEventDefinition<Lossy>
{
    public static EventType<Lossy> Definition { get; } = EventType.Decimal<Lossy>(e => e.Value, _ => new Lossy(0));
}

/// <summary>An event whose filter is a prefix of another type's filter, so its frames are read as the other type.</summary>
public sealed record Shadowed(string Text) : IEventDefinition<Shadowed>
{
    public static EventType<Shadowed> Definition { get; } = EventType.Utf8Text<Shadowed>(e => e.Text, s => new Shadowed(s), name: "Shadow");
}

public sealed record ShadowedX(string Text) : IEventDefinition<ShadowedX>
{
    public static EventType<ShadowedX> Definition { get; } = EventType.Utf8Text<ShadowedX>(e => e.Text, s => new ShadowedX(s), name: "ShadowX");
}

/// <summary>Answers Ping(n) with Pong(n); Ping(-1) makes it throw; "tell" sends its start to a probe.</summary>
public sealed class PingPong : EventPlugin
{
    public PingPong(IActorRef? observer = null)
    {
        Subscribe<Ping>(p =>
        {
            if (p.N < 0) throw new InvalidOperationException($"cannot answer {p}");
            Publish(new Pong(p.N));
            observer?.Tell($"handled {p.N}");
        });
        Receive<string>(s => s == "finish", _ => Finish());
    }

    protected override void OnStart() => Publish(new Pong(0));
}

/// <summary>Publishes each Ping it receives once, the same instance (it receives its own events too).</summary>
public sealed class Echo : EventPlugin
{
    private readonly HashSet<Ping> _seen = new(ReferenceEqualityComparer.Instance);

    public Echo() => Subscribe<Ping>(p =>
    {
        if (_seen.Add(p)) Publish(p);
    });
}

/// <summary>Publishes an event its codec cannot round-trip.</summary>
public sealed class LossyPublisher : EventPlugin
{
    protected override void OnStart() => Publish(new Lossy(42));
}

/// <summary>Its constructor throws.</summary>
public sealed class Broken : EventPlugin
{
    public Broken() => throw new InvalidOperationException("no configuration for Broken");
}

/// <summary>Records the order of its start hook and the events it handles.</summary>
public sealed class StartWatcher : EventPlugin
{
    public StartWatcher(IActorRef observer)
    {
        Subscribe<Ping>(p => observer.Tell($"ping {p.N}"));
    }

    protected override void OnStart() => Context.System.EventStream.Publish(new StartWatcherStarted(Name));
}

public sealed record StartWatcherStarted(string Name);

/// <summary>Publishes raw frames in the original's text layout.</summary>
public sealed class RawTalker : EventPlugin
{
    public RawTalker() => SubscribeRaw("Legacy", raw => PublishRaw(System.Text.Encoding.ASCII.GetBytes("Reply" + raw.Frame.Length)));
}

/// <summary>Constructor arguments of other types than string (issue 9's example); publishes its setting on start.</summary>
public sealed class Thermostat : EventPlugin
{
    private readonly double _target;
    private readonly int _period;

    public Thermostat(double target, int period)
    {
        _target = target;
        _period = period;
    }

    protected override void OnStart() => Publish(new ThermostatSet(Name, _target, _period));
}

public sealed record ThermostatSet(string Plugin, double Target, int Period);
