using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.TestKit.Internal;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// A whole in-process engine started by a test: publish into it as if a plugin (or another process) had, and
/// observe what its plugins publish. With the wire on it has a real bridge on ephemeral loopback ports.
/// </summary>
public sealed class EngineUnderTest : EventExpectations
{
    private EngineUnderTest(Harness harness) : base(harness, "the engine")
    {
    }

    /// <summary>The running engine.</summary>
    public EventEngine EventEngine => Harness.Engine;

    /// <summary>The names of its plugins.</summary>
    public IReadOnlyList<string> PluginNames => Harness.PluginNames;

    /// <summary>The bound TCP publish port (XSUB), or 0 without a wire.</summary>
    public int PublishPort => Harness.Engine.PublishPort;

    /// <summary>The bound TCP subscribe port (XPUB), or 0 without a wire.</summary>
    public int SubscribePort => Harness.Engine.SubscribePort;

    /// <summary>Completes once the start-up barrier has passed and start hooks are running.</summary>
    public Task Started => Harness.Engine.Started;

    /// <summary>Completes once every plugin has finished.</summary>
    public Task Completion => Harness.Engine.Completion;

    /// <summary>Starts an engine in <paramref name="testKit"/>'s actor system and waits until its plugins have subscribed.</summary>
    /// <exception cref="EventExpectationException">A plugin could not be created, or did not subscribe in time.</exception>
    public static EngineUnderTest Start(TestKitBase testKit, Action<EventEngineBuilder> configure, EngineTestOptions? options = null)
    {
        var engine = Launch(testKit, testKit.Sys, configure, options ?? new EngineTestOptions());
        engine.Harness.WaitUntilRegistered(testKit.Dilated(RegistrationTimeout));
        return engine;
    }

    internal static TimeSpan RegistrationTimeout => TimeSpan.FromSeconds(10);

    internal static EngineUnderTest Launch(TestKitBase testKit, ActorSystem system, Action<EventEngineBuilder> configure, EngineTestOptions options)
    {
        var harness = new Harness(testKit, options.HoldStart, options.CodecRoundTrip);
        var settings = ConfigurationFactory.ParseString(options.Wire
            ? "event-engine { run-mode = service, wire { enabled = on, publish-port = 0, subscribe-port = 0 } }"
            : "event-engine { run-mode = service, wire.enabled = off }");
        harness.Launch(system, configure, Overrides(options.Hocon, settings));
        return new EngineUnderTest(harness);
    }

    internal static EngineUnderTest ForPlugin(Harness harness) => new(harness);

    internal void WaitUntilRegistered() => Harness.WaitUntilRegistered(Harness.Kit.Dilated(RegistrationTimeout));

    internal static Config Overrides(string? hocon, Config testKitSettings) =>
        string.IsNullOrWhiteSpace(hocon) ? testKitSettings : ConfigurationFactory.ParseString(hocon).WithFallback(testKitSettings);

    /// <summary>One plugin of the engine, by name.</summary>
    /// <exception cref="ArgumentException">The engine has no such plugin.</exception>
    public PluginUnderTest Plugin(string name) => Harness.PluginNames.Contains(name)
        ? new PluginUnderTest(Harness, name, this)
        : throw new ArgumentException($"the engine has no plugin named '{name}' (it has: {string.Join(", ", Harness.PluginNames)})", nameof(name));

    /// <summary>One plugin of the engine, by its type's name (the default plugin name).</summary>
    public PluginUnderTest Plugin<TPlugin>() where TPlugin : EventPlugin => Plugin(typeof(TPlugin).Name);

    /// <summary>
    /// Publishes events into the engine as if a plugin had published them: every subscriber gets them (and outside
    /// subscribers, with the wire on). Through their real codec while <see cref="EventExpectations.CodecRoundTrip"/> is on.
    /// </summary>
    /// <exception cref="EventExpectationException">An event does not survive its codec.</exception>
    public void Publish<T>(params T[] events) where T : notnull
    {
        var type = Harness.Engine.Events.Get<T>();
        foreach (var @event in events) Harness.Inject(type, @event, "publish");
    }

    /// <summary>Publishes one event and completes when the test may publish more (flow control; for floods of events).</summary>
    public Task PublishAsync<T>(T @event) where T : notnull
    {
        Publish(@event);
        return Harness.WhenInjectionRoom();
    }

    /// <summary>Publishes a raw frame (filter included), decoded by the engine like a frame from another process.</summary>
    public void PublishFrame(byte[] frame) => Harness.InjectFrame(frame);

    /// <summary>
    /// Publishes an event through the engine's TCP publish port, as an unregistered process would (encoded with its
    /// codec). The first call connects and waits until the connection carries frames. Not recorded as published.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine runs without a wire.</exception>
    public void PublishOverWire<T>(T @event) where T : notnull =>
        PublishFrameOverWire(Harness.Engine.Events.Get<T>().Encode(@event));

    /// <summary>Publishes a raw frame through the engine's TCP publish port, as an unregistered process would.</summary>
    public void PublishFrameOverWire(byte[] frame) => Harness.Wire.Publish(frame, Harness.Kit.Dilated(RegistrationTimeout));

    /// <summary>
    /// Subscribes to <paramref name="prefix"/> on the engine's TCP subscribe port, as an unregistered process would;
    /// returns once the bridge has the subscription (events published from then on reach it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine runs without a wire.</exception>
    public WireSubscriber SubscribeOverWire(string prefix = "") => Harness.Wire.Subscribe(prefix, Harness.Kit.Dilated(RegistrationTimeout));

    /// <summary>Subscribes to events of type <typeparamref name="T"/> (its filter) on the engine's TCP subscribe port.</summary>
    public WireSubscriber SubscribeOverWire<T>() where T : notnull =>
        SubscribeOverWire(System.Text.Encoding.ASCII.GetString(Harness.Engine.Events.Get<T>().Filter));

    /// <summary>Releases the start-up barrier held with <c>HoldStart</c>: start hooks run.</summary>
    public void StartPlugins() => Harness.StartPlugins();

    /// <summary>
    /// Expects every plugin to finish within <paramref name="timeout"/> (default: the TestKit's remaining or default
    /// time). Then everything they published is in <see cref="EventExpectations.Published"/>.
    /// </summary>
    /// <exception cref="EventExpectationException">Some plugin is still running; the message names them.</exception>
    public void ExpectCompleted(TimeSpan? timeout = null)
    {
        var wait = Wait(timeout);
        if (Harness.Engine.Completion.Wait(wait))
        {
            // Every publication happened before its publisher finished, so the deliveries are queued: take them in.
            Harness.Flush(wait);
            return;
        }
        var running = Harness.PluginNames.Where(n => !Harness.SaidFinished(n) && !Harness.Terminated(n)).ToList();
        throw Failure($"Expected every plugin of the engine to finish within {Describe.Duration(wait)}, but {string.Join(", ", running)} " +
                      (running.Count == 1 ? "is" : "are") + " still running" +
                      (Harness.Engine.Started.IsCompleted ? "." : " (the start-up barrier has not passed: call StartPlugins()?)."));
    }
}
