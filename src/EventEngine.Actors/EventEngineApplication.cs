using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.DependencyInjection;

namespace EventEngine.Actors;

/// <summary>
/// The plain entry point for console programs that do not use a Generic Host: creates an actor system, starts
/// the engine, turns Ctrl+C and SIGTERM into an orderly CoordinatedShutdown, and waits until the system has
/// terminated. The caller's entry point calls <c>NetMQConfig.Cleanup()</c> after it returns, at process exit.
/// </summary>
public static class EventEngineApplication
{
    /// <summary>Runs an engine until it completes or is stopped; returns the process exit code.</summary>
    /// <param name="configure">Declares the plugins.</param>
    /// <param name="config">HOCON overriding the reference configuration.</param>
    /// <param name="onStarted">Called once the engine is running (ports bound, plugins created).</param>
    /// <param name="systemName">The actor system's name.</param>
    /// <param name="services">Services plugins take in their constructors (through Akka.DependencyInjection), if any.</param>
    /// <returns>0 when every plugin finished or the program was stopped; the shutdown reason's code otherwise.</returns>
    public static async Task<int> RunAsync(Action<EventEngineBuilder> configure, Config? config = null,
        Action<EventEngine>? onStarted = null, string systemName = "event-engine", IServiceProvider? services = null)
    {
        var bootstrap = BootstrapSetup.Create()
            .WithConfig(config is null ? EventEngine.ReferenceConfig : config.WithFallback(EventEngine.ReferenceConfig));
        var setup = services is null ? ActorSystemSetup.Create(bootstrap) : bootstrap.And(DependencyResolverSetup.Create(services));
        var system = ActorSystem.Create(systemName, setup);
        var shutdown = CoordinatedShutdown.Get(system);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            var engine = EventEngine.Start(system, configure);
            onStarted?.Invoke(engine);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
        await system.WhenTerminated;
        return shutdown.ShutdownReason?.ExitCode ?? 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = shutdown.Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
    }
}
