using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace EventEngine.Actors.FaultHost;

/// <summary>An Akka logger printing one line per log event to stdout: <c>WARN  source: message</c> (read by the fault tests).</summary>
public sealed class LineLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public LineLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var source = e.LogSource;
            var system = source.IndexOf(" (akka://", StringComparison.Ordinal);
            if (system > 0) source = source[..system];
            else if (source.StartsWith("akka://", StringComparison.Ordinal)) source = source[(source.LastIndexOf('/') + 1)..];
            var level = e.LogLevel() switch
            {
                LogLevel.DebugLevel => "DEBUG",
                LogLevel.InfoLevel => "INFO ",
                LogLevel.WarningLevel => "WARN ",
                _ => "ERROR",
            };
            Console.WriteLine(e.Cause is null ? $"{level} {source}: {e.Message}" : $"{level} {source}: {e.Message}: {e.Cause.GetType().Name}: {e.Cause.Message}");
        });
    }
}
