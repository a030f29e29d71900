using System.Net;
using Akka.Configuration;

namespace EventEngine.Actors.Dashboard;

/// <summary>The standalone dashboard's settings, from <c>event-engine.dashboard</c> (see hocon/event-engine.conf).</summary>
/// <param name="Enabled">Whether an engine with <see cref="EventEngineDashboard.AddDashboard"/> serves it standalone.</param>
/// <param name="BindAddress">The interface it binds to.</param>
/// <param name="Port">Its TCP port (0 = ephemeral).</param>
/// <param name="Token">The token every request must carry; required when binding beyond loopback.</param>
public sealed record DashboardSettings(bool Enabled, IPAddress BindAddress, int Port, string Token)
{
    /// <summary>Reads <c>event-engine.dashboard</c>.</summary>
    /// <exception cref="EventEngineException">A bad address or port, or a non-loopback address without a token.</exception>
    public static DashboardSettings From(Config config)
    {
        var section = config.GetConfig("event-engine.dashboard") ?? ConfigurationFactory.Empty;
        var address = section.GetString("bind-address", "127.0.0.1");
        if (!IPAddress.TryParse(address, out var bind))
            throw new EventEngineException($"event-engine.dashboard.bind-address = \"{address}\" is not an IP address (for example 127.0.0.1)");
        var port = section.GetInt("port", 0);
        if (port is < 0 or > 65535)
            throw new EventEngineException($"event-engine.dashboard.port = {port} is not a TCP port (0 = ephemeral, else 1-65535)");
        var token = section.GetString("token", "");
        if (!IPAddress.IsLoopback(bind) && string.IsNullOrEmpty(token))
            throw new EventEngineException(
                $"event-engine.dashboard.bind-address = \"{address}\" exposes the dashboard beyond this machine: set event-engine.dashboard.token (requests then need ?token= or an Authorization: Bearer header)");
        return new DashboardSettings(section.GetBoolean("enabled", false), bind, port, token);
    }
}
