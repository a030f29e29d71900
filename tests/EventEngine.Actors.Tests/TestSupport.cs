using System.Text;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Tests;

/// <summary>MessagePack test event (the default codec).</summary>
public sealed record Ping(int N, string Note = "");

/// <summary>Text event whose filter is a prefix of <see cref="AlphaBeta"/>'s.</summary>
public sealed record Alpha(string Text) : IEventDefinition<Alpha>
{
    public static EventType<Alpha> Definition { get; } = EventType.Utf8Text<Alpha>(e => e.Text, s => new Alpha(s));
}

/// <summary>Text event with a longer filter that starts with <see cref="Alpha"/>'s.</summary>
public sealed record AlphaBeta(string Text) : IEventDefinition<AlphaBeta>
{
    public static EventType<AlphaBeta> Definition { get; } = EventType.Utf8Text<AlphaBeta>(e => e.Text, s => new AlphaBeta(s));
}

/// <summary>Forwards every event it receives to a probe; subscribes to the given types and raw prefixes.</summary>
public sealed class Recorder : EventPlugin
{
    public Recorder(IActorRef probe, Type[] types, string[]? rawPrefixes = null)
    {
        foreach (var type in types)
            typeof(Recorder).GetMethod(nameof(On), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(type).Invoke(this, [probe]);
        foreach (var prefix in rawPrefixes ?? []) SubscribeRaw(prefix, e => probe.Tell(e));
    }

    private void On<T>(IActorRef probe) where T : notnull => Subscribe<T>(e => probe.Tell(e));
}

/// <summary>Publishes the given events from its start hook.</summary>
public sealed class Publisher : EventPlugin
{
    private readonly object[] _events;
    private readonly bool _finish;

    public Publisher(object[] events, bool finish = false)
    {
        _events = events;
        _finish = finish;
    }

    protected override void OnStart()
    {
        foreach (var e in _events)
            typeof(Publisher).GetMethod(nameof(PublishOne), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(e.GetType()).Invoke(this, [e]);
        if (_finish) Finish();
    }

    private void PublishOne<T>(T e) where T : notnull => Publish(e);
}

/// <summary>Plays the original's Python plugin in process: reads 10 TypeA/TypeB, then says goodbye with TypeC.</summary>
public sealed class Goodbye : EventPlugin
{
    private int _seen;

    public Goodbye()
    {
        Subscribe<TypeA>(_ => Next());
        Subscribe<TypeB>(_ => Next());
    }

    private void Next()
    {
        if (++_seen < 10) return;
        Publish(new TypeC("Goodbye from python"));
        Finish();
    }
}

internal static class TestConfig
{
    /// <summary>Ephemeral ports, service mode unless told otherwise, quiet logs.</summary>
    public static Config Engine(string extra = "") => ConfigurationFactory.ParseString($$"""
        akka.loglevel = INFO
        event-engine {
          run-mode = service
          wire { publish-port = 0, subscribe-port = 0 }
        }
        {{extra}}
        """);

    public static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
}

/// <summary>A producing plugin's flow-control window, watched while its events flow.</summary>
internal static class WindowWatch
{
    /// <summary>
    /// Samples the window of plugin <paramref name="producer"/> until <paramref name="done"/> completes (within
    /// <paramref name="timeout"/>, waiting for <paramref name="what"/>), then waits for the window to empty. Returns the
    /// most deliveries seen in flight (sampled: a short run may never be caught with any).
    /// </summary>
    public static async Task<int> MaxInFlightUntil(ActorSystem system, EventEngine engine, string producer, Task done, TimeSpan timeout, string what)
    {
        var actor = await system.ActorSelection($"/system/event-engine/event-engine-plugins/{producer}").ResolveOne(TimeSpan.FromSeconds(5));
        var window = engine.PluginStateOf(actor).Credit;
        var maxInFlight = 0;
        var deadline = Deadline.In(timeout, () => $"{what} ({producer}'s window: {window.InFlight} in flight)");
        while (!done.IsCompleted)
        {
            deadline.ThrowIfPassed();
            maxInFlight = Math.Max(maxInFlight, window.InFlight);
            await Task.WhenAny(done, Task.Delay(1));
        }
        await done;
        // The last delivery is settled just after its handler (which completed done) returns.
        await Wait.Until(() => window.InFlight == 0, $"{producer}'s window to empty ({window.InFlight} in flight)");
        return maxInFlight;
    }
}
