using Akka.Event;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.Security;
using EventEngine.Actors.Sockets;

namespace EventEngine.Actors.Gateway.Transports;

/// <summary>The transport of the plugin ports (<c>event-engine.gateway.plugin-transport</c>).</summary>
internal enum PluginTransport
{
    /// <summary>A NetMQ ROUTER socket per port, every port on the gateway's poller thread; speaks CURVE.</summary>
    NetMq,

    /// <summary>The lean ZMTP 3 endpoint, a thread per port; NULL mechanism only.</summary>
    Lean,
}

/// <summary>Binds a plugin port on the configured transport.</summary>
internal static class PortTransports
{
    public static PluginTransport Parse(string value) => value switch
    {
        "netmq" => PluginTransport.NetMq,
        "lean" => PluginTransport.Lean,
        _ => throw Configuration.Setting.Invalid("gateway.plugin-transport", $"'{value}'", "one of: netmq, lean"),
    };

    /// <summary>
    /// The transport the ports really use: with CURVE on they stay on NetMQ whatever was asked (the lean endpoint speaks
    /// NULL only), and the engine says so once.
    /// </summary>
    public static PluginTransport Effective(GatewaySettings settings, CurveSettings curve, ILoggingAdapter log)
    {
        if (settings.Transport != PluginTransport.Lean || !curve.Enabled) return settings.Transport;
        log.Info("Gateway: the plugin ports run on NetMQ although event-engine.gateway.plugin-transport = lean: CURVE is on (event-engine.security.curve), and the lean transport speaks the NULL mechanism only");
        return PluginTransport.NetMq;
    }

    /// <summary>Binds the port of <paramref name="plugin"/>; throws <see cref="EventEngineException"/> if the bind fails.</summary>
    public static IPortTransport Bind(PluginTransport transport, string plugin, int port, GatewaySettings settings, string monitorAddress,
        PollerThread poller, CurveSettings curve, EngineMetrics metrics, ILoggingAdapter log) => transport switch
    {
        PluginTransport.Lean => new LeanPortTransport(plugin, settings.BindAddress, port, settings.MaxMessageSize, settings.MaxConnectionsPerPort, log),
        _ => new NetMqPortTransport(plugin, settings.BindAddress, port, settings.MaxMessageSize, monitorAddress, poller, curve, metrics, log),
    };
}
