using System.Net;
using Akka.Event;

namespace EventEngine.Actors.Security;

/// <summary>Warns, once per engine, about TCP ports bound beyond loopback while CURVE is off.</summary>
internal static class Exposure
{
    /// <summary>True for 127.0.0.0/8, ::1 and <c>localhost</c>: only processes on this machine can connect.</summary>
    public static bool IsLoopback(string address) =>
        address.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(address.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Logs one warning naming every endpoint (what, address, port) that is reachable from other machines without CURVE.</summary>
    public static void WarnIfExposed(IEnumerable<(string What, string Address, int Port)> endpoints, CurveSettings curve, ILoggingAdapter log)
    {
        if (curve.Enabled) return;
        List<string>? exposed = null; // a loop, not LINQ over tuples: this runs on every engine's start-up path
        foreach (var (what, address, port) in endpoints)
            if (!IsLoopback(address)) (exposed ??= []).Add($"{what} tcp://{address}:{port}");
        if (exposed is null) return;
        log.Warning("Listening beyond loopback without CURVE: {0}. Anyone who can reach these ports can publish events into the engine " +
            "and read every event; turn on event-engine.security.curve, or bind to 127.0.0.1 (event-engine.bind-address, EVENT_ENGINE_BIND_ADDRESS)",
            string.Join(", ", exposed));
    }
}
