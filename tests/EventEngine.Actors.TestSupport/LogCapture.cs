using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace EventEngine.Actors.TestSupport;

/// <summary>Every log event of an engine, for assertions.</summary>
public sealed class LogCapture
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IEnumerable<LogEvent> Events => _events;

    /// <summary>Subscribes a new capture to every log event of <paramref name="system"/>.</summary>
    public static LogCapture Attach(ActorSystem system)
    {
        var log = new LogCapture();
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new Listener(log))), typeof(LogEvent));
        return log;
    }

    /// <summary>Whether a message from a log source containing <paramref name="source"/> contains <paramref name="text"/>.</summary>
    public bool Contains(string source, string text) =>
        _events.Any(e => e.LogSource.Contains(source, StringComparison.Ordinal) && e.Message?.ToString()?.Contains(text, StringComparison.Ordinal) == true);

    /// <summary>Whether a message (of <paramref name="level"/>, if given) contains <paramref name="text"/>.</summary>
    public bool Contains(string text, LogLevel? level = null) =>
        _events.Any(e => (level is null || e.LogLevel() == level) && e.Message?.ToString()?.Contains(text, StringComparison.Ordinal) == true);

    public int Count(string text) => _events.Count(e => e.Message?.ToString()?.Contains(text, StringComparison.Ordinal) == true);

    public string Dump() => string.Join("\n", _events.Select(e => $"{e.LogLevel()} [{e.LogSource}] {e.Message}"));

    private sealed class Listener : ReceiveActor
    {
        public Listener(LogCapture capture) => Receive<LogEvent>(e => capture._events.Enqueue(e));
    }
}
