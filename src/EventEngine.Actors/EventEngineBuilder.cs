using Akka.Actor;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors;

/// <summary>Declares what an engine runs: its plugins and the event types that do not use the defaults.</summary>
public sealed class EventEngineBuilder
{
    private readonly List<PluginRegistration> _plugins = new();
    private readonly HashSet<string> _pluginNames = new();
    private readonly List<EventType> _eventTypes = new();

    internal IReadOnlyList<PluginRegistration> Plugins => _plugins;

    internal IReadOnlyList<EventType> EventTypes => _eventTypes;

    internal List<IEngineComponent> Components { get; } = new();

    /// <summary>Adds a plugin of type <typeparamref name="TPlugin"/>, named after the type unless <paramref name="name"/> is given.</summary>
    /// <param name="name">The plugin's unique name (its actor name, and its key under <c>event-engine.plugins</c>).</param>
    /// <param name="args">Constructor arguments.</param>
    public EventEngineBuilder AddPlugin<TPlugin>(string? name = null, params object[] args) where TPlugin : EventPlugin =>
        AddPlugin(name ?? typeof(TPlugin).Name, Props.Create(typeof(TPlugin), args));

    /// <summary>Adds a plugin created from <paramref name="props"/> (which must create an <see cref="EventPlugin"/>).</summary>
    public EventEngineBuilder AddPlugin(string name, Props props)
    {
        ValidateName(name);
        _plugins.Add(new PluginRegistration(name, props));
        _pluginNames.Add(name);
        return this;
    }

    /// <summary>Registers an event type whose name, filter or codec differ from the defaults.</summary>
    public EventEngineBuilder AddEventType<T>(EventType<T> type) where T : notnull
    {
        _eventTypes.Add(type);
        return this;
    }

    /// <summary>Adds a part of the engine that starts with it (used by the gateway and the TestKit).</summary>
    internal EventEngineBuilder AddComponent(IEngineComponent component)
    {
        Components.Add(component);
        return this;
    }

    internal void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !ActorPath.IsValidPathElement(name))
            throw new ArgumentException($"'{name}' is not a valid plugin name: use letters, digits and -_.*$+:@&=,!~';", nameof(name));
        if (_pluginNames.Contains(name) || Components.Any(c => c.ParticipantNames.Contains(name)))
            throw new ArgumentException($"a plugin named '{name}' is already registered; plugin names must be unique", nameof(name));
    }
}

/// <summary>A part of the engine started with it, which may add participants to the start-up barrier.</summary>
internal interface IEngineComponent
{
    /// <summary>Names that join the start-up barrier and must finish before the engine completes.</summary>
    IReadOnlyCollection<string> ParticipantNames { get; }

    /// <summary>Starts the component once the bridge and the supervisor exist.</summary>
    void Start(EventEngine engine);
}
