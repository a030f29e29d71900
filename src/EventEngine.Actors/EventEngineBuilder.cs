using System.Linq.Expressions;
using Akka.Actor;
using Akka.DependencyInjection;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.Supervision;

namespace EventEngine.Actors;

/// <summary>Declares what an engine runs: its plugins and the event types that do not use the defaults.</summary>
/// <remarks>
/// A plugin is registered by type with its constructor arguments (<c>AddPlugin&lt;Thermostat&gt;(20.0, 1000)</c>), by name
/// and type (<c>AddPlugin&lt;Thermostat&gt;("hot", 20.0, 1000)</c>: a first string argument is always the name), or by a
/// typed factory (<c>AddPlugin("hot", () =&gt; new Thermostat(20.0, 1000))</c>). When the engine runs with the host's
/// services (Akka.Hosting, or <see cref="EventEngineApplication"/> given an <see cref="IServiceProvider"/>), plugins
/// registered by type are created through Akka.DependencyInjection: the arguments given fill the parameters of their
/// types, the others come from the services (<c>ILogger&lt;T&gt;</c>, <c>IOptions&lt;T&gt;</c>, singletons; for scoped
/// services take an <c>IServiceScopeFactory</c> and create a scope per unit of work). Plugins may also be declared in
/// HOCON (<c>event-engine.plugins.NAME { type = "MyApp.Thermostat, MyApp", args = [20.0, 1000] }</c>), with the same rules.
/// </remarks>
public sealed class EventEngineBuilder
{
    private readonly ActorSystem? _system;
    private readonly List<PluginRegistration> _plugins = new();
    private readonly List<PluginRegistration> _singletonPlugins = new();
    private readonly HashSet<string> _pluginNames = new();
    private readonly List<EventType> _eventTypes = new();

    /// <summary>A builder whose plugins are created without dependency injection.</summary>
    public EventEngineBuilder()
    {
    }

    internal EventEngineBuilder(ActorSystem system, IServiceProvider? services)
    {
        _system = system;
        Services = services;
    }

    /// <summary>The host's services plugins are created with, or null when the engine runs without dependency injection.</summary>
    public IServiceProvider? Services { get; }

    internal IReadOnlyList<PluginRegistration> Plugins => _plugins;

    /// <summary>Plugins that run once in the cluster, on one node at a time (EventEngine.Actors.Cluster's AddSingletonPlugin).</summary>
    internal IReadOnlyList<PluginRegistration> SingletonPlugins => _singletonPlugins;

    internal IReadOnlyList<EventType> EventTypes => _eventTypes;

    internal List<IEngineComponent> Components { get; } = new();

    /// <summary>Adds a plugin of type <typeparamref name="TPlugin"/> named after the type.</summary>
    /// <param name="args">Constructor arguments (with services: those not resolved from them).</param>
    /// <exception cref="ArgumentException">No constructor takes <paramref name="args"/>; the message lists the constructors.</exception>
    public EventEngineBuilder AddPlugin<TPlugin>(params object?[] args) where TPlugin : EventPlugin =>
        AddPlugin<TPlugin>(typeof(TPlugin).Name, args);

    /// <summary>Adds a plugin of type <typeparamref name="TPlugin"/> named <paramref name="name"/>.</summary>
    /// <param name="name">The plugin's unique name (its actor name, and its key under <c>event-engine.plugins</c>).</param>
    /// <param name="args">Constructor arguments (with services: those not resolved from them).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name, or no constructor takes <paramref name="args"/>.</exception>
    public EventEngineBuilder AddPlugin<TPlugin>(string name, params object?[] args) where TPlugin : EventPlugin =>
        AddPlugin(name, typeof(TPlugin), args);

    /// <summary>Adds a plugin of <paramref name="type"/> (an <see cref="EventPlugin"/>) with its constructor arguments.</summary>
    internal EventEngineBuilder AddPlugin(string name, Type type, object?[] args) => AddPlugin(name, PropsFor(name, type, args));

    /// <summary>How a plugin of <paramref name="type"/> is created: with <paramref name="args"/>, and the host's services if there are any.</summary>
    /// <exception cref="ArgumentException">A bad name, or no constructor takes <paramref name="args"/>.</exception>
    internal Props PropsFor(string name, Type type, object?[] args)
    {
        ValidateName(name);
        if (Services is null || _system is null) return Props.Create(type, PluginConstructors.Bind(name, type, args));
        PluginConstructors.Check(name, type, args, Services);
        return DependencyResolver.For(_system).Props(type, args!);
    }

    /// <summary>Adds a plugin created by <paramref name="factory"/> (Akka's typed <c>Props.Create</c>), named <paramref name="name"/>.</summary>
    public EventEngineBuilder AddPlugin<TPlugin>(string name, Expression<Func<TPlugin>> factory) where TPlugin : EventPlugin =>
        AddPlugin(name, Props.Create(factory));

    /// <summary>Adds a plugin created by <paramref name="factory"/> (Akka's typed <c>Props.Create</c>), named after its type.</summary>
    public EventEngineBuilder AddPlugin<TPlugin>(Expression<Func<TPlugin>> factory) where TPlugin : EventPlugin =>
        AddPlugin(typeof(TPlugin).Name, factory);

    /// <summary>Adds a plugin created from <paramref name="props"/> (which must create an <see cref="EventPlugin"/>).</summary>
    public EventEngineBuilder AddPlugin(string name, Props props)
    {
        ValidateName(name);
        _plugins.Add(new PluginRegistration(name, props));
        _pluginNames.Add(name);
        return this;
    }

    /// <summary>Adds a plugin that runs once in the cluster rather than on this node (see EventEngine.Actors.Cluster).</summary>
    internal EventEngineBuilder AddSingletonPlugin(string name, Props props)
    {
        ValidateName(name);
        _singletonPlugins.Add(new PluginRegistration(name, props));
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

    /// <summary>
    /// Those of <see cref="ParticipantNames"/> that wait for every other participant of this engine before they can be
    /// ready (the cluster waits for its node's plugins to have subscribed before it publishes the node's subscriptions).
    /// </summary>
    IReadOnlyCollection<string> LateParticipantNames => [];

    /// <summary>The component runs the engine's singleton plugins (the cluster does); without one they cannot run.</summary>
    bool RunsSingletonPlugins => false;

    /// <summary>Starts the component once the bridge and the supervisor exist.</summary>
    void Start(EventEngine engine);
}

/// <summary>
/// Components an actor system's setup adds to the engine it will host, whatever code starts the engine (how
/// Akka.Hosting extensions such as <c>WithEventEngineCluster</c> add their part to <c>WithEventEngine</c>'s engine).
/// </summary>
internal sealed class EngineComponentSetup(IReadOnlyList<IEngineComponent> components) : Akka.Actor.Setup.Setup
{
    public IReadOnlyList<IEngineComponent> Components { get; } = components;
}
