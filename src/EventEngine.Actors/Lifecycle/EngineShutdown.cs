using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;

namespace EventEngine.Actors.Lifecycle;

/// <summary>
/// The engine's part in CoordinatedShutdown, one step per phase:
/// <list type="number">
/// <item><c>service-unbind</c>: stop taking new work. Every source's window closes (producers pause; the publish
/// port stops reading) and the gateway stops serving external plugins (what they held or had queued is dropped,
/// counted as <c>engine-stopped</c>).</item>
/// <item><c>service-requests-done</c>: drain the deliveries in flight to internal plugins, for at most
/// <c>event-engine.shutdown.drain-timeout</c>.</item>
/// <item><c>service-stop</c>: stop the plugins (what their mailboxes still hold is counted as
/// <c>engine-stopped</c>), the sessions and the plugin processes.</item>
/// <item><c>before-actor-system-terminate</c>: stop the bridge, which disposes the wire.</item>
/// </list>
/// </summary>
internal static class EngineShutdown
{
    public static void Register(CoordinatedShutdown shutdown, EventEngine engine)
    {
        var log = Logging.GetLogger(engine.System, "EventEngine");
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "event-engine-stop-taking-work", () =>
        {
            engine.BeginStopping();
            return Task.FromResult(Done.Instance);
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "event-engine-drain", async () =>
        {
            var timeout = engine.Settings.ShutdownDrainTimeout;
            var clock = Stopwatch.StartNew();
            while (engine.InFlight() > 0 && clock.Elapsed < timeout) await Task.Delay(10).ConfigureAwait(false);
            var left = engine.InFlight();
            if (left > 0)
                log.Warning("Shutdown: {0} deliveries still in flight after {1} (event-engine.shutdown.drain-timeout); they are dropped (engine-stopped)", left, timeout);
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "event-engine-stop-plugins", () => Stop(engine.Supervisor));
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "event-engine-stop-bridge", () => Stop(engine.Bridge));
    }

    private static async Task<Done> Stop(IActorRef actor)
    {
        try
        {
            await actor.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            // the actor system's termination stops it anyway
        }
        return Done.Instance;
    }
}
