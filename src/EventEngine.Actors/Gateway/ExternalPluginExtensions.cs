namespace EventEngine.Actors.Gateway;

/// <summary>Registers external plugins with an engine, and finds their ports once it runs.</summary>
public static class ExternalPluginExtensions
{
    /// <summary>
    /// Registers an external plugin: the engine binds <paramref name="port"/> for it, queues the events its
    /// subscriptions match from engine start on, waits for its first request in the start-up barrier, and counts
    /// it as finished when it sends quit. With a <paramref name="command"/>, the engine also runs its process.
    /// </summary>
    /// <param name="builder">The engine builder.</param>
    /// <param name="name">Unique among all plugins of the engine.</param>
    /// <param name="port">TCP port (0 = ephemeral; see <see cref="ExternalPluginPort"/>).</param>
    /// <param name="subscriptions">Event type names or raw prefixes.</param>
    /// <param name="command">Arguments to the interpreter (<c>event-engine.gateway.processes.interpreter</c>), e.g. the script; null when someone else starts the plugin.</param>
    /// <exception cref="ArgumentException">A duplicate name, a bad port or an empty command.</exception>
    public static EventEngineBuilder AddExternalPlugin(this EventEngineBuilder builder, string name, int port,
        IEnumerable<string> subscriptions, IEnumerable<string>? command = null) =>
        builder.AddExternalPlugin(new ExternalPlugin(name, port, subscriptions.ToArray()) { Command = command?.ToArray() });

    /// <summary>Registers an external plugin described by <paramref name="plugin"/>.</summary>
    /// <exception cref="ArgumentException">A duplicate name, a bad port or an empty command.</exception>
    public static EventEngineBuilder AddExternalPlugin(this EventEngineBuilder builder, ExternalPlugin plugin)
    {
        GatewayComponent.Of(builder).Add(builder, plugin);
        return builder;
    }

    /// <summary>The TCP port external plugin <paramref name="name"/> is served on (the bound one when configured as 0).</summary>
    /// <exception cref="ArgumentException">The engine has no external plugin of that name.</exception>
    public static int ExternalPluginPort(this EventEngine engine, string name) =>
        GatewayComponent.Of(engine)?.Ports.TryGetValue(name, out var port) == true
            ? port
            : throw new ArgumentException($"engine {engine.Name} has no external plugin named '{name}'", nameof(name));

    /// <summary>
    /// Completes once the subscriptions of every registered external plugin are active: events published from
    /// then on are queued for them even before their processes connect. Completed at once without external plugins.
    /// </summary>
    public static Task WhenExternalPluginsSubscribed(this EventEngine engine) =>
        GatewayComponent.Of(engine)?.Subscribed ?? Task.CompletedTask;
}
