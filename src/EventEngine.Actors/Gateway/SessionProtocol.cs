namespace EventEngine.Actors.Gateway;

/// <summary>Port to session: the plugin sent its first request (it is ready for the start-up barrier).</summary>
internal sealed class PeerFirstRequest
{
    public static readonly PeerFirstRequest Instance = new();
    private PeerFirstRequest() { }
}

/// <summary>Port to session: the plugin sent quit; <paramref name="Dropped"/> queued events it will never get were released.</summary>
internal sealed record PeerQuit(int Dropped);

/// <summary>Port to session: the number of TCP connections on the plugin's port changed.</summary>
internal sealed record PeerConnections(int Count);

/// <summary>Subscriber to session: its queue overflowed under <see cref="QueueOverflow.DropAndFinish"/>, so the session ends.</summary>
internal sealed class QueueOverflowed
{
    public static readonly QueueOverflowed Instance = new();
    private QueueOverflowed() { }
}

/// <summary>Session to its process actor: the plugin quit, so its process may exit without being restarted.</summary>
internal sealed class PluginQuit
{
    public static readonly PluginQuit Instance = new();
    private PluginQuit() { }
}

/// <summary>Session to its process actor: the plugin's process connected to its port, so it got past its start-up.</summary>
internal sealed class PluginConnected
{
    public static readonly PluginConnected Instance = new();
    private PluginConnected() { }
}
