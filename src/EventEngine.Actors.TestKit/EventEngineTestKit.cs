using System.Linq.Expressions;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Plugins;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// An Akka.TestKit.Xunit2 <c>TestKit</c> that starts plugins and engines under test. xUnit creates one instance (and
/// so one actor system) per test: start one plugin or one engine per test. Everything of the Akka TestKit
/// (ExpectMsg, probes, EventFilter, Within) stays available.
/// </summary>
/// <example><code>
/// public class CounterTests(ITestOutputHelper output) : EventEngineTestKit(output)
/// {
///     [Fact]
///     public void Answers_with_the_length()
///     {
///         var counter = StartPlugin&lt;Counter&gt;();
///         counter.Deliver(new TypeA("hello"));
///         counter.ExpectPublished(new TypeB(5));
///     }
/// }
/// </code></example>
public abstract class EventEngineTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Creates the actor system from the TestKit's defaults and <paramref name="hocon"/>; logs go to <paramref name="output"/>.</summary>
    /// <param name="output">xUnit's test output, for Akka's log.</param>
    /// <param name="hocon">Akka configuration of the test's actor system (custom dispatchers, log level, event-engine defaults).</param>
    protected EventEngineTestKit(ITestOutputHelper? output = null, string? hocon = null)
        : base(ConfigurationFactory.ParseString(hocon ?? ""), "test", output)
    {
    }

    /// <summary>Starts a plugin of type <typeparamref name="TPlugin"/> alone, in memory, with its constructor <paramref name="args"/>.</summary>
    protected PluginUnderTest StartPlugin<TPlugin>(params object[] args) where TPlugin : EventPlugin =>
        PluginUnderTest.Start<TPlugin>(this, null, args);

    /// <summary>Starts a plugin of type <typeparamref name="TPlugin"/> alone, in memory, with options and constructor <paramref name="args"/>.</summary>
    protected PluginUnderTest StartPlugin<TPlugin>(PluginTestOptions options, params object[] args) where TPlugin : EventPlugin =>
        PluginUnderTest.Start<TPlugin>(this, options, args);

    /// <summary>
    /// Starts a plugin of type <typeparamref name="TPlugin"/> named <paramref name="name"/> alone, in memory, with its
    /// constructor <paramref name="args"/> (as <c>AddPlugin&lt;TPlugin&gt;(name, args)</c>: a first string argument is the name).
    /// </summary>
    protected PluginUnderTest StartPlugin<TPlugin>(string name, params object[] args) where TPlugin : EventPlugin =>
        PluginUnderTest.Start<TPlugin>(this, new PluginTestOptions { Name = name }, args);

    /// <summary>Starts a plugin created by <paramref name="factory"/> (as <c>AddPlugin(() =&gt; new Thermostat(20.0, 1000))</c>), named after its type.</summary>
    protected PluginUnderTest StartPlugin<TPlugin>(Expression<Func<TPlugin>> factory, PluginTestOptions? options = null) where TPlugin : EventPlugin =>
        StartPlugin(options?.Name ?? typeof(TPlugin).Name, factory, options);

    /// <summary>Starts a plugin created by <paramref name="factory"/>, named <paramref name="name"/> (as <c>AddPlugin("hot", () =&gt; new Thermostat(20.0, 1000))</c>).</summary>
    protected PluginUnderTest StartPlugin<TPlugin>(string name, Expression<Func<TPlugin>> factory, PluginTestOptions? options = null) where TPlugin : EventPlugin =>
        PluginUnderTest.Start(this, Props.Create(factory), (options ?? new PluginTestOptions()) with { Name = name });

    /// <summary>Starts a plugin created from <paramref name="props"/> alone, in memory.</summary>
    protected PluginUnderTest StartPlugin(Props props, PluginTestOptions? options = null) =>
        PluginUnderTest.Start(this, props, options);

    /// <summary>Starts a whole engine with the plugins <paramref name="configure"/> declares (real bridge on ephemeral ports by default).</summary>
    protected EngineUnderTest StartEngine(Action<EventEngineBuilder> configure, EngineTestOptions? options = null) =>
        EngineUnderTest.Start(this, configure, options);
}
