using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class RegistrationTests : Akka.TestKit.Xunit2.TestKit
{
    public RegistrationTests() : base(TestConfig.Engine()) { }

    /// <summary>The issue's example: constructor arguments of other types than string.</summary>
    public sealed class Thermostat : EventPlugin
    {
        private readonly double _target;
        private readonly int _period;

        public Thermostat(double target, int period)
        {
            _target = target;
            _period = period;
        }

        protected override void OnStart() => Publish(new Alpha($"{Name} {_target} {_period}"));
    }

    public sealed class Plain : EventPlugin
    {
        protected override void OnStart() => Publish(new Alpha($"{Name} plain"));
    }

    [Fact]
    public void Arguments_without_a_name_a_name_without_arguments_both_and_a_typed_factory_all_register()
    {
        var probe = CreateTestProbe();
        EventEngine.Start(Sys, e => e
            .AddPlugin<Recorder>("recorder", probe.Ref, new[] { typeof(Alpha) }, null)
            .AddPlugin<Thermostat>(20.0, 1000)
            .AddPlugin<Thermostat>("hot", 30.5, 500)
            .AddPlugin("cold", () => new Thermostat(5.0, 100))
            .AddPlugin<Plain>("named"));
        var published = probe.ReceiveN(4, TimeSpan.FromSeconds(20)).Cast<Alpha>().Select(a => a.Text).Order();
        Assert.Equal(new[] { "Thermostat 20 1000", "cold 5 100", "hot 30.5 500", "named plain" }, published);
    }

    [Fact]
    public void A_wrong_argument_list_fails_at_registration_naming_the_plugin_and_its_constructors()
    {
        var builder = new EventEngineBuilder();
        var swapped = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>(1000, 20.0));
        Assert.Contains("plugin 'Thermostat': no public constructor of Thermostat takes (Int32, Double)", swapped.Message);
        Assert.Contains("its constructors: Thermostat(Double target, Int32 period)", swapped.Message);
        var nameOnly = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>("hot"));
        Assert.Contains("plugin 'hot': no public constructor of Thermostat takes ()", nameOnly.Message);
        Assert.Contains("a single string argument is taken as the plugin's name", nameOnly.Message);
        builder.AddPlugin<Thermostat>(20.0, 1000); // nothing was registered by the failures
    }
}

/// <summary>Plugins declared in HOCON (<c>event-engine.plugins.NAME { type, args }</c>), beside plugins registered in code.</summary>
public class HoconRegistrationTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Thermostat = "EventEngine.Actors.Tests.RegistrationTests+Thermostat";

    public HoconRegistrationTests() : base(TestConfig.Engine($$"""
        event-engine.plugins {
          Thermostat { type = "{{Thermostat}}, EventEngine.Actors.Tests", args = [20.0, 1000] }
          hot { type = "{{Thermostat}}", args = [30.5, 500] } # no assembly name: found among the loaded assemblies
          named { type = "EventEngine.Actors.Tests.RegistrationTests+Plain, EventEngine.Actors.Tests" }
          tuned { type = "EventEngine.Actors.Tests.HoconRegistrationTests+Tuned, EventEngine.Actors.Tests", args = [1500ms, shutdown, [a, b]] }
          recorder { max-concurrency = 1 } # settings of a plugin registered in code, not a declaration
        }
        """)) { }

    /// <summary>Takes the kinds of values HOCON writes: a duration, an enum name, a list; an optional parameter left out.</summary>
    public sealed class Tuned : EventPlugin
    {
        private readonly string _text;

        public Tuned(TimeSpan every, Configuration.RestartLimitPolicy policy, IReadOnlyList<string> tags, bool verbose = false) =>
            _text = $"{every.TotalMilliseconds} {policy} {string.Join("+", tags)} {verbose}";

        protected override void OnStart() => Publish(new Alpha($"{Name} {_text}"));
    }

    [Fact]
    public void Plugins_declared_in_HOCON_start_with_their_converted_arguments_beside_plugins_registered_in_code()
    {
        var probe = CreateTestProbe();
        EventEngine.Start(Sys, e => e.AddPlugin<Recorder>("recorder", probe.Ref, new[] { typeof(Alpha) }, null));
        var published = probe.ReceiveN(4, TimeSpan.FromSeconds(20)).Cast<Alpha>().Select(a => a.Text).Order();
        Assert.Equal(new[] { "Thermostat 20 1000", "hot 30.5 500", "named plain", "tuned 1500 Shutdown a+b False" }, published);
    }

    [Fact]
    public void A_wrong_argument_list_in_HOCON_fails_the_start_naming_the_key_the_plugin_and_its_constructors()
    {
        var swapped = StartFails($$"""event-engine.plugins.hot { type = "{{Thermostat}}", args = [1000, 20.5] }""");
        Assert.Contains("event-engine.plugins.hot: plugin 'hot': no public constructor of Thermostat takes [1000, 20.5]", swapped.Message);
        Assert.Contains("its constructors: Thermostat(Double target, Int32 period)", swapped.Message);

        var unknown = StartFails("""event-engine.plugins.hot { type = "MyApp.Thermostat, MyApp" }""");
        Assert.Contains("event-engine.plugins.hot.type = \"MyApp.Thermostat, MyApp\": no such type is loaded", unknown.Message);

        var notAPlugin = StartFails("""event-engine.plugins.hot { type = "System.String" }""");
        Assert.Contains("System.String is not a concrete EventPlugin", notAPlugin.Message);

        var clash = StartFails($$"""event-engine.plugins.recorder { type = "{{Thermostat}}", args = [1.0, 2] }""",
            e => e.AddPlugin<RegistrationTests.Plain>("recorder"));
        Assert.Contains("event-engine.plugins.recorder: a plugin named 'recorder' is already registered", clash.Message);
    }

    private static EventEngineException StartFails(string hocon, Action<EventEngineBuilder>? configure = null)
    {
        var system = ActorSystem.Create("hocon", TestConfig.Engine(hocon));
        try
        {
            return Assert.Throws<EventEngineException>(() => EventEngine.Start(system, configure ?? (_ => { })));
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(20));
        }
    }
}
