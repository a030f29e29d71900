using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>How one engine run went.</summary>
/// <param name="StartupTime">From <c>EventEngine.Start</c> until <c>Started</c> was observed (which completes on the
/// thread pool, so this may include a scheduling delay; scenarios that time the barrier note it in a plugin).</param>
/// <param name="Completed">Every plugin finished within the timeout.</param>
/// <param name="CreatedAt">Stopwatch timestamp taken just before <c>EventEngine.Start</c>.</param>
public sealed record EngineRunResult(TimeSpan StartupTime, bool Completed, long CreatedAt);

/// <summary>Runs one engine in its own ActorSystem (run-to-completion), quietly, on ephemeral ports.</summary>
public static class EngineRunner
{
    /// <summary>The HOCON every benchmark engine runs with (plus <paramref name="extra"/>, and <paramref name="under"/> as fallback before the reference).</summary>
    public static Config Config(string extra = "", Config? under = null) => ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        event-engine.wire { publish-port = 0, subscribe-port = 0 }
        {{extra}}
        """).WithFallback(under ?? Akka.Configuration.Config.Empty).WithFallback(Actors.EventEngine.ReferenceConfig);

    /// <summary>
    /// Starts an engine, runs <paramref name="whileRunning"/> once the start-up barrier has passed, and waits (at most
    /// <paramref name="timeout"/>) until every plugin has finished and the system has terminated.
    /// </summary>
    public static async Task<EngineRunResult> RunAsync(string name, Action<Actors.EventEngineBuilder> configure, TimeSpan timeout,
        string extraConfig = "", Func<Actors.EventEngine, Task>? onStarted = null, Action<Actors.EventEngine>? onCreated = null, Config? configUnder = null)
    {
        var system = ActorSystem.Create(name, Config(extraConfig, configUnder));
        try
        {
            var createdAt = Stopwatch.GetTimestamp();
            var clock = Stopwatch.StartNew();
            var engine = Actors.EventEngine.Start(system, configure);
            onCreated?.Invoke(engine);
            var deadline = Task.Delay(timeout);
            if (await Task.WhenAny(engine.Started, deadline) != engine.Started)
            {
                Console.Error.WriteLine($"bench: {name}: the engine did not start within {timeout}");
                return new EngineRunResult(clock.Elapsed, false, createdAt);
            }
            var startup = clock.Elapsed;
            var work = onStarted?.Invoke(engine) ?? Task.CompletedTask;
            var done = await Task.WhenAny(Task.WhenAll(engine.Completion, work), deadline) != deadline;
            if (!done) Console.Error.WriteLine($"bench: {name}: the engine did not complete within {timeout}");
            else await work; // surface its exception
            return new EngineRunResult(startup, done, createdAt);
        }
        finally
        {
            await Terminate(system);
        }
    }

    public static async Task Terminate(ActorSystem system)
    {
        if (!system.WhenTerminated.IsCompleted)
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await Task.WhenAny(system.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(10)));
    }
}
