using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors;

/// <summary>
/// The plain entry point for console programs that do not use a Generic Host: creates an actor system, starts
/// the engine, turns Ctrl+C and SIGTERM into an orderly CoordinatedShutdown, and waits until the system has
/// terminated. The caller's entry point calls <c>NetMQConfig.Cleanup()</c> after it returns, at process exit.
/// Every TCP port binds to <c>event-engine.bind-address</c>, which the environment variable
/// <c>EVENT_ENGINE_BIND_ADDRESS</c> sets.
/// </summary>
public static class EventEngineApplication
{
    /// <summary>Runs an engine until it completes or is stopped; returns the process exit code.</summary>
    /// <param name="configure">Declares the plugins.</param>
    /// <param name="config">HOCON overriding the reference configuration.</param>
    /// <param name="onStarted">Called once the engine is running (ports bound, plugins created).</param>
    /// <param name="systemName">The actor system's name.</param>
    /// <returns>
    /// 0 when every plugin finished (or, in service mode, when the program was stopped); 130 (SIGINT) or 143 (SIGTERM)
    /// when a run-to-completion engine was stopped before every plugin finished; the shutdown reason's code otherwise
    /// (1 for a plugin that failed).
    /// </returns>
    /// <exception cref="EventEngineException">The engine could not start (bad settings, a port in use); nothing is logged but the cause.</exception>
    public static async Task<int> RunAsync(Action<EventEngineBuilder> configure, Config? config = null,
        Action<EventEngine>? onStarted = null, string systemName = "event-engine")
    {
        var system = ActorSystem.Create(systemName, config is null ? EventEngine.ReferenceConfig : config.WithFallback(EventEngine.ReferenceConfig));
        var shutdown = CoordinatedShutdown.Get(system);
        EventEngine? engine = null;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            engine = EventEngine.Start(system, configure);
            onStarted?.Invoke(engine);
        }
        catch
        {
            // The exception is the one message: no shutdown chatter (CoordinatedShutdown would announce "ExitCode:0").
            system.EventStream.SetLogLevel(LogLevel.ErrorLevel);
            await system.Terminate();
            throw;
        }
        await system.WhenTerminated;
        return shutdown.ShutdownReason?.ExitCode ?? 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            var interrupted = engine is null || (engine.Settings.RunMode == RunMode.RunToCompletion && !engine.Completion.IsCompleted);
            _ = shutdown.Run(interrupted ? new InterruptedReason(context.Signal) : CoordinatedShutdown.ClrExitReason.Instance);
        }
    }
}

/// <summary>
/// CoordinatedShutdown reason: a run-to-completion engine was stopped by a signal before every plugin finished.
/// Its exit code is the shell's convention, 128 + the signal's number: 130 for SIGINT (Ctrl+C), 143 for SIGTERM.
/// </summary>
public sealed class InterruptedReason : CoordinatedShutdown.Reason
{
    internal InterruptedReason(PosixSignal signal) => Signal = signal;

    /// <summary>The signal that stopped the engine.</summary>
    public PosixSignal Signal { get; }

    /// <inheritdoc />
    public override int ExitCode => Signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        PosixSignal.SIGQUIT => 131,
        _ => 1,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Signal} before every plugin finished";
}
