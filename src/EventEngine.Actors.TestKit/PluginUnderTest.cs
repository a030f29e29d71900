using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using EventEngine.Actors.Plugins;
using EventEngine.Actors.TestKit.Internal;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// One plugin under test, running under its real supervisor in an in-memory engine (no sockets) with a test
/// subscriber that records what it publishes. Deliver events to it as if other plugins had published them and
/// assert what it publishes, how often it restarted, and that it finished.
/// </summary>
public sealed class PluginUnderTest : EventExpectations
{
    internal PluginUnderTest(Harness harness, string name, EngineUnderTest engine) : base(harness, name)
    {
        Name = name;
        Engine = engine;
    }

    /// <summary>The plugin's name.</summary>
    public string Name { get; }

    /// <summary>The plugin's actor (it survives restarts). Watch it, or send it messages, like any actor.</summary>
    public IActorRef Ref => Harness.RefOf(Name);

    /// <summary>The engine the plugin runs in (publish into it, or reach the <see cref="EventEngine"/>).</summary>
    public EngineUnderTest Engine { get; }

    /// <summary>The plugin's subscription prefixes as they are in the routing table now (empty once it has stopped), as text.</summary>
    public IReadOnlyList<string> Subscriptions =>
        Harness.PrefixesOf(Name).Select(p => System.Text.Encoding.ASCII.GetString(p)).ToArray();

    /// <summary>Completes once the start-up barrier has passed and the start hook runs.</summary>
    public Task Started => Harness.Engine.Started;

    /// <summary>True once the plugin has said it finished (<c>Finish()</c>).</summary>
    public bool IsFinished => Harness.SaidFinished(Name);

    /// <summary>How often the plugin restarted after a failure.</summary>
    public int Restarts => (int)Harness.Counter(PluginCounters.Restarts, Name);

    /// <summary>How many events the plugin failed to handle (each dropped as poison, then the plugin restarted).</summary>
    public int PoisonEvents => (int)Harness.Counter(PluginCounters.Poison, Name);

    /// <summary>True once its supervisor stopped it (restart limit exceeded).</summary>
    public bool StoppedBySupervisor => Harness.Counter(PluginCounters.Stops, Name) > 0;

    /// <summary>Starts a plugin of type <typeparamref name="TPlugin"/> in <paramref name="testKit"/>'s actor system and waits until it has subscribed.</summary>
    /// <exception cref="EventExpectationException">The plugin could not be created (the message names its constructor's exception).</exception>
    public static PluginUnderTest Start<TPlugin>(TestKitBase testKit, PluginTestOptions? options = null, params object[] args) where TPlugin : EventPlugin
    {
        options ??= new PluginTestOptions();
        var name = options.Name ?? typeof(TPlugin).Name;
        var harness = new Harness(testKit, options.HoldStart, options.CodecRoundTrip);
        return Start(harness, testKit, name, harness.PropsFor(typeof(TPlugin), name, args, options.Services), options);
    }

    /// <summary>Starts a plugin created from <paramref name="props"/> in <paramref name="testKit"/>'s actor system and waits until it has subscribed.</summary>
    /// <exception cref="EventExpectationException">The plugin could not be started.</exception>
    public static PluginUnderTest Start(TestKitBase testKit, Props props, PluginTestOptions? options = null)
    {
        options ??= new PluginTestOptions();
        var harness = new Harness(testKit, options.HoldStart, options.CodecRoundTrip);
        return Start(harness, testKit, options.Name ?? "plugin", props, options);
    }

    private static PluginUnderTest Start(Harness harness, TestKitBase testKit, string name, Props props, PluginTestOptions options)
    {
        var settings = ConfigurationFactory.ParseString("event-engine { run-mode = service, wire.enabled = off }");
        harness.Launch(testKit.Sys, builder =>
        {
            options.Configure?.Invoke(builder);
            builder.AddPlugin(name, props);
        }, EngineUnderTest.Overrides(options.Hocon, settings));
        var engine = EngineUnderTest.ForPlugin(harness);
        engine.WaitUntilRegistered();
        return new PluginUnderTest(harness, name, engine);
    }

    /// <summary>True when the plugin's subscriptions take events of type <typeparamref name="T"/>.</summary>
    public bool IsSubscribedTo<T>() where T : notnull
    {
        var filter = Harness.Engine.Events.Get<T>().Filter;
        return Harness.PrefixesOf(Name).Any(p => filter.AsSpan().StartsWith(p) || p.AsSpan().StartsWith(filter));
    }

    /// <summary>
    /// Delivers events to the plugin as if other plugins had published them (every subscriber of the engine gets
    /// them): through their real codec while <see cref="EventExpectations.CodecRoundTrip"/> is on. Returns at once;
    /// the plugin handles them in order.
    /// </summary>
    /// <exception cref="EventExpectationException">The plugin does not subscribe to <typeparamref name="T"/>, or an event does not survive its codec.</exception>
    public void Deliver<T>(params T[] events) where T : notnull
    {
        if (!IsSubscribedTo<T>())
        {
            var type = Harness.Engine.Events.Get<T>();
            var prefixes = Harness.PrefixesOf(Name);
            throw Failure($"Cannot deliver a {type.Name} to {Name}: it does not subscribe to it " +
                          (prefixes.Count == 0
                              ? (IsFinished ? "(it has finished)." : "(it has no subscriptions).")
                              : $"(its subscriptions: {string.Join(", ", prefixes.Select(Describe.Prefix))}).") +
                          " Use Engine.Publish(...) to publish an event regardless.");
        }
        Engine.Publish(events);
    }

    /// <summary>Delivers a raw frame (filter included), decoded by the engine like a frame from another process.</summary>
    public void DeliverFrame(byte[] frame) => Harness.InjectFrame(frame);

    /// <summary>Releases the start-up barrier held with <c>HoldStart</c>: the plugin's start hook runs.</summary>
    public void StartPlugins() => Harness.StartPlugins();

    /// <summary>Expects the plugin to say it has finished within <paramref name="timeout"/> (default: the TestKit's remaining or default time).</summary>
    /// <exception cref="EventExpectationException">It is still running, or its supervisor stopped it.</exception>
    public void ExpectFinished(TimeSpan? timeout = null)
    {
        var wait = Wait(timeout);
        Harness.WaitUntil(() => Harness.SaidFinished(Name) || StoppedBySupervisor, wait);
        if (Harness.SaidFinished(Name))
        {
            Harness.Flush(wait);
            return;
        }
        throw Failure(StoppedBySupervisor
            ? $"Expected {Name} to finish, but its supervisor stopped it after {Describe.Plural(Restarts, "restart")} (restart limit exceeded)."
            : $"Expected {Name} to finish within {Describe.Duration(wait)}, but it is still running" +
              (Harness.Engine.Started.IsCompleted ? $" ({Describe.Plural(Harness.History().Count, "event")} published)." : " (the start-up barrier has not passed: call StartPlugins()?)."));
    }

    /// <summary>Expects the plugin to have restarted at least <paramref name="count"/> times within <paramref name="timeout"/>.</summary>
    /// <exception cref="EventExpectationException">It restarted fewer times.</exception>
    public void ExpectRestarts(int count, TimeSpan? timeout = null)
    {
        var wait = Wait(timeout);
        if (Harness.WaitUntil(() => Restarts >= count, wait)) return;
        throw Failure($"Expected {Name} to restart {Describe.Plural(count, "time")} within {Describe.Duration(wait)}, but it restarted " +
                      $"{Describe.Plural(Restarts, "time")} ({Describe.Plural(PoisonEvents, "poison event")}" +
                      (StoppedBySupervisor ? ", then its supervisor stopped it)." : ")."));
    }

    /// <summary>Expects the plugin's supervisor to stop it (restart limit exceeded) within <paramref name="timeout"/>.</summary>
    /// <exception cref="EventExpectationException">It was not stopped.</exception>
    public void ExpectStoppedBySupervisor(TimeSpan? timeout = null)
    {
        var wait = Wait(timeout);
        if (Harness.WaitUntil(() => StoppedBySupervisor, wait)) return;
        throw Failure($"Expected the supervisor to stop {Name} within {Describe.Duration(wait)}, but it " +
                      (IsFinished ? "finished normally" : "is still running") + $" after {Describe.Plural(Restarts, "restart")}.");
    }
}
