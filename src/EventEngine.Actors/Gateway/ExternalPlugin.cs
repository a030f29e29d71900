namespace EventEngine.Actors.Gateway;

/// <summary>
/// A registered external plugin: a process (any language) that talks to the engine over its own TCP port with
/// the original REQ/REP protocol or its fast mode (docs/protocol.md). Register it with
/// <see cref="ExternalPluginExtensions.AddExternalPlugin(EventEngineBuilder, ExternalPlugin)"/> or in HOCON under
/// <c>event-engine.external-plugins</c>.
/// </summary>
/// <param name="Name">Unique among all plugins of the engine; the start-up barrier and logs use it.</param>
/// <param name="Port">The plugin's TCP port (bound on <c>event-engine.gateway.bind-address</c>); 0 = ephemeral.</param>
/// <param name="Subscriptions">
/// Event type names (a type registered when the engine starts subscribes with its filter) or raw prefixes
/// (anything else, as UTF-8 bytes). zmq prefix semantics: <c>TypeA</c> also matches <c>TypeAB...</c>.
/// </param>
public sealed record ExternalPlugin(string Name, int Port, IReadOnlyList<string> Subscriptions)
{
    /// <summary>
    /// How the engine starts the plugin's process, or null when someone else starts it. The arguments follow the
    /// interpreter: <c>["plugin.py", "--verbose"]</c> runs <c>/usr/bin/python3 plugin.py --verbose</c>.
    /// </summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>
    /// The program that runs <see cref="Command"/>: null takes <c>event-engine.gateway.processes.interpreter</c>;
    /// an empty string runs the command's first element itself.
    /// </summary>
    public string? Interpreter { get; init; }

    /// <summary>The process's working directory; null = the engine's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables of the process.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}
