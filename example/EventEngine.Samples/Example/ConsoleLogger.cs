using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace EventEngine.Samples.Example;

/// <summary>
/// An Akka logger that prints one short, readable line per log event to stdout:
/// <c>12:00:01.234 INFO  MsgProducer: ...</c> (the source is the actor's name, or the logger's name).
/// </summary>
public sealed class ConsoleLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>The <c>akka</c> settings of the example programs: INFO and above through this logger, no dead-letter chatter.</summary>
    public const string Hocon = """
        akka {
          loglevel = INFO
          stdout-loglevel = WARNING
          loggers = ["EventEngine.Samples.Example.ConsoleLogger, EventEngine.Samples"]
          log-dead-letters = off
        }
        """;

    /// <summary>Creates the logger (Akka does, from <c>akka.loggers</c>).</summary>
    public ConsoleLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.WriteLine(Format(e)));
    }

    private static string Format(LogEvent e)
    {
        var source = e.LogSource;
        var system = source.IndexOf(" (akka://", StringComparison.Ordinal);
        if (system > 0) source = source[..system]; // a named logger: "EventEngine.Gateway (akka://example)"
        else if (source.StartsWith("akka://", StringComparison.Ordinal)) source = source[(source.LastIndexOf('/') + 1)..]; // an actor
        var level = e.LogLevel() switch
        {
            LogLevel.DebugLevel => "DEBUG",
            LogLevel.InfoLevel => "INFO ",
            LogLevel.WarningLevel => "WARN ",
            _ => "ERROR",
        };
        var line = $"{e.Timestamp.ToLocalTime():HH:mm:ss.fff} {level} {source}: {e.Message}";
        return e.Cause is null ? line : $"{line}: {e.Cause.GetType().Name}: {e.Cause.Message}";
    }
}
