using System.Linq.Expressions;
using Akka.Actor;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Cluster;

/// <summary>
/// Plugins that run once in the cluster rather than on every node (Akka's cluster singleton): every node registers the
/// plugin, one node runs it, and when that node leaves or is downed another one runs it. Its subscriptions count where
/// it runs, so events published on any node reach it (docs/cluster.md, "Singleton plugins").
/// </summary>
/// <remarks>
/// The same overloads as <c>AddPlugin</c>: by type with constructor arguments (with the host's services filling the
/// others under Akka.Hosting), by name and type, or by a typed factory. In HOCON: <c>singleton = on</c> in
/// <c>event-engine.plugins.NAME { type, args }</c>. The engine needs <c>AddCluster()</c> (or
/// <c>WithEventEngineCluster</c>); with <c>event-engine.cluster.enabled = off</c> the plugin runs on this node.
/// </remarks>
public static class SingletonPlugins
{
    /// <summary>Adds a singleton plugin of type <typeparamref name="TPlugin"/> named after the type.</summary>
    /// <param name="engine">The engine's builder.</param>
    /// <param name="args">Constructor arguments (with services: those not resolved from them).</param>
    /// <exception cref="ArgumentException">No constructor takes <paramref name="args"/>; the message lists the constructors.</exception>
    public static EventEngineBuilder AddSingletonPlugin<TPlugin>(this EventEngineBuilder engine, params object?[] args) where TPlugin : EventPlugin =>
        engine.AddSingletonPlugin<TPlugin>(typeof(TPlugin).Name, args);

    /// <summary>Adds a singleton plugin of type <typeparamref name="TPlugin"/> named <paramref name="name"/>.</summary>
    /// <param name="engine">The engine's builder.</param>
    /// <param name="name">The plugin's name, unique among all plugins (the same on every node).</param>
    /// <param name="args">Constructor arguments (with services: those not resolved from them).</param>
    /// <exception cref="ArgumentException">A bad or duplicate name, or no constructor takes <paramref name="args"/>.</exception>
    public static EventEngineBuilder AddSingletonPlugin<TPlugin>(this EventEngineBuilder engine, string name, params object?[] args) where TPlugin : EventPlugin =>
        engine.AddSingletonPlugin(name, engine.PropsFor(name, typeof(TPlugin), args));

    /// <summary>Adds a singleton plugin created by <paramref name="factory"/>, named <paramref name="name"/>.</summary>
    public static EventEngineBuilder AddSingletonPlugin<TPlugin>(this EventEngineBuilder engine, string name, Expression<Func<TPlugin>> factory) where TPlugin : EventPlugin =>
        engine.AddSingletonPlugin(name, Props.Create(factory));

    /// <summary>Adds a singleton plugin created by <paramref name="factory"/>, named after its type.</summary>
    public static EventEngineBuilder AddSingletonPlugin<TPlugin>(this EventEngineBuilder engine, Expression<Func<TPlugin>> factory) where TPlugin : EventPlugin =>
        engine.AddSingletonPlugin(typeof(TPlugin).Name, factory);
}
