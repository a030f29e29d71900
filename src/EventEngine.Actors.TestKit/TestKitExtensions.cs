using Akka.Actor;
using Akka.TestKit;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.TestKit;

/// <summary>Start plugins and engines under test from any Akka TestKit (one engine per TestKit actor system).</summary>
public static class TestKitExtensions
{
    /// <summary>Starts a plugin of type <typeparamref name="TPlugin"/> alone, in memory, with its constructor <paramref name="args"/>.</summary>
    public static PluginUnderTest StartPlugin<TPlugin>(this TestKitBase testKit, params object[] args) where TPlugin : EventPlugin =>
        PluginUnderTest.Start<TPlugin>(testKit, null, args);

    /// <summary>Starts a plugin of type <typeparamref name="TPlugin"/> alone, in memory, with options and constructor <paramref name="args"/>.</summary>
    public static PluginUnderTest StartPlugin<TPlugin>(this TestKitBase testKit, PluginTestOptions options, params object[] args) where TPlugin : EventPlugin =>
        PluginUnderTest.Start<TPlugin>(testKit, options, args);

    /// <summary>Starts a plugin created from <paramref name="props"/> alone, in memory.</summary>
    public static PluginUnderTest StartPlugin(this TestKitBase testKit, Props props, PluginTestOptions? options = null) =>
        PluginUnderTest.Start(testKit, props, options);

    /// <summary>Starts a whole engine with the plugins <paramref name="configure"/> declares (real bridge on ephemeral ports by default).</summary>
    public static EngineUnderTest StartEngine(this TestKitBase testKit, Action<EventEngineBuilder> configure, EngineTestOptions? options = null) =>
        EngineUnderTest.Start(testKit, configure, options);
}
