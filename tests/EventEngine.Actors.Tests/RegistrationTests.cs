using Akka.Actor;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Two constructors take one int: the one with the fewest parameters is used, not the one with a default.</summary>
    public sealed class Sized : EventPlugin
    {
        private readonly string _text;

        public Sized(int count) => _text = $"{count}";

        public Sized(int count, string unit = "items") => _text = $"{count} {unit}";

        protected override void OnStart() => Publish(new Alpha($"{Name} {_text}"));
    }

    /// <summary>Parameters that take null: a reference and a nullable value.</summary>
    public sealed class Labelled : EventPlugin
    {
        private readonly string _text;

        public Labelled(string? label, int? limit) => _text = $"{label ?? "no label"} {limit?.ToString() ?? "no limit"}";

        protected override void OnStart() => Publish(new Alpha($"{Name} {_text}"));
    }

    [Fact]
    public void The_constructor_with_the_fewest_parameters_that_takes_the_arguments_is_used_and_null_fits_reference_and_nullable_parameters()
    {
        var probe = CreateTestProbe();
        EventEngine.Start(Sys, e => e
            .AddPlugin<Recorder>("recorder", probe.Ref, new[] { typeof(Alpha) }, null)
            .AddPlugin<Sized>("sized", 5)
            .AddPlugin<Labelled>("labelled", null, null));
        var published = probe.ReceiveN(2, TimeSpan.FromSeconds(20)).Cast<Alpha>().Select(a => a.Text).Order();
        Assert.Equal(new[] { "labelled no label no limit", "sized 5" }, published);
    }

    [Fact]
    public void A_registration_error_says_exactly_what_was_given_and_which_constructors_there_are()
    {
        var builder = new EventEngineBuilder();
        const string constructors = "its constructors: Thermostat(Double target, Int32 period) (Parameter 'args')";
        var swapped = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>(1000, 20.0));
        Assert.Equal($"plugin 'Thermostat': no public constructor of Thermostat takes (Int32, Double); {constructors}", swapped.Message);
        Assert.Equal("args", swapped.ParamName);
        var tooMany = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>("hot", 20.0, 1000, 5));
        Assert.Equal($"plugin 'hot': no public constructor of Thermostat takes (Double, Int32, Int32); {constructors}", tooMany.Message);
        var nullValue = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>("cold", null, 1000));
        Assert.Equal($"plugin 'cold': no public constructor of Thermostat takes (null, Int32); {constructors}", nullValue.Message);
        var nameOnly = Assert.Throws<ArgumentException>(() => builder.AddPlugin<Thermostat>("warm"));
        Assert.Equal("plugin 'warm': no public constructor of Thermostat takes () (a single string argument is taken as the plugin's name: " +
                     $"pass the name first, then the arguments); {constructors}", nameOnly.Message);
        Assert.Empty(builder.Plugins);
    }

    /// <summary>Takes a service beside an explicit argument, the argument first.</summary>
    public sealed class Clocked(int count, IClock clock) : EventPlugin
    {
        protected override void OnStart() => Publish(new Alpha($"{Name} {count} {clock.Now:O}"));
    }

    [Fact]
    public void With_services_the_arguments_are_placed_by_type_and_the_rest_must_be_services()
    {
        using var services = new ServiceCollection().AddSingleton<IClock>(new FixedClock(DateTimeOffset.UnixEpoch)).BuildServiceProvider();
        PluginConstructors.Check("clocked", typeof(Clocked), [7], services); // the argument takes the first parameter
        var wrongType = Assert.Throws<ArgumentException>(() => PluginConstructors.Check("clocked", typeof(Clocked), ["seven"], services));
        Assert.Equal("plugin 'clocked': no public constructor of Clocked takes (String) with the other parameters resolved from the host's services; " +
                     "its constructors: Clocked(Int32 count, IClock clock) (Parameter 'args')", wrongType.Message);
        using var noClock = new ServiceCollection().BuildServiceProvider();
        Assert.Throws<ArgumentException>(() => PluginConstructors.Check("clocked", typeof(Clocked), [7], noClock));
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

    public enum Speed { Slow, FastStart }

    /// <summary>Parameter types HOCON converts to: a decimal, a nullable number, a list, an array of enum names.</summary>
    public sealed class Typed(decimal price, int? limit, List<string> tags, Speed[] speeds) : EventPlugin
    {
        protected override void OnStart() => Publish(new Alpha($"{Name} {price} {limit} {tags.Count} {speeds.Length}"));
    }

    private static IReadOnlyList<HoconValue> Args(string hocon) => [.. ConfigurationFactory.ParseString($"args = {hocon}").GetValue("args").GetArray()];

    [Fact]
    public void HOCON_arguments_convert_to_decimals_nullable_numbers_lists_and_kebab_case_enum_names()
    {
        var args = PluginConstructors.FromHocon("typed", typeof(Typed), Args("[9.95, 5, [a, b], [slow, fast-start]]"), null);
        Assert.Equal(9.95m, args[0]);
        Assert.Equal(5, args[1]);
        Assert.Equal(new[] { "a", "b" }, Assert.IsType<List<string>>(args[2]));
        Assert.Equal(new[] { Speed.Slow, Speed.FastStart }, Assert.IsType<Speed[]>(args[3]));
    }

    [Theory]
    [InlineData("[9.95, 5, [a], [slow, fast]]", "[9.95, 5, [a], [slow,fast]]")] // not a member (HOCON writes a nested list without spaces)
    [InlineData("[9.95, 5, [a], [1]]", "[9.95, 5, [a], [1]]")] // an enum takes a name, not a number
    [InlineData("[9.95, 5, [a], [\"-1\"]]", "[9.95, 5, [a], [-1]]")]
    [InlineData("[9.95, 5, a, [slow]]", "[9.95, 5, a, [slow]]")] // not a list
    [InlineData("[9.95, 5, [a], [slow], 1]", "[9.95, 5, [a], [slow], 1]")] // one too many
    public void A_HOCON_argument_that_does_not_convert_fails_naming_the_plugin_the_arguments_and_the_constructors(string hocon, string given)
    {
        var error = Assert.Throws<ArgumentException>(() => PluginConstructors.FromHocon("typed", typeof(Typed), Args(hocon), null));
        Assert.Equal($"plugin 'typed': no public constructor of Typed takes {given} (HOCON args, in the order of the parameters); " +
                     "its constructors: Typed(Decimal price, Nullable`1 limit, List`1 tags, Speed[] speeds) (Parameter 'args')", error.Message);
    }

    [Fact]
    public void With_services_HOCON_arguments_skip_the_parameters_the_services_resolve()
    {
        using var services = new ServiceCollection().AddSingleton<IClock>(new FixedClock(DateTimeOffset.UnixEpoch)).BuildServiceProvider();
        Assert.Equal(new object?[] { 7 }, PluginConstructors.FromHocon("clocked", typeof(RegistrationTests.Clocked), Args("[7]"), services));
        var error = Assert.Throws<ArgumentException>(() => PluginConstructors.FromHocon("clocked", typeof(RegistrationTests.Clocked), Args("[seven]"), services));
        Assert.Equal("plugin 'clocked': no public constructor of Clocked takes [seven] (HOCON args, in the order of the parameters not resolved " +
                     "from the host's services); its constructors: Clocked(Int32 count, IClock clock) (Parameter 'args')", error.Message);
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    [InlineData("off", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    public void Singleton_on_true_or_yes_registers_a_cluster_singleton_and_off_false_or_no_a_plugin_of_this_node(string value, bool singleton)
    {
        var builder = new EventEngineBuilder();
        ConfiguredPlugins.AddTo(builder, ConfigurationFactory.ParseString($"plugins.hot {{ type = \"{Thermostat}\", args = [20.0, 1000], singleton = {value} }}"));
        Assert.Equal(singleton ? ["hot"] : Array.Empty<string>(), builder.SingletonPlugins.Select(p => p.Name));
        Assert.Equal(singleton ? Array.Empty<string>() : ["hot"], builder.Plugins.Select(p => p.Name));
    }

    [Fact]
    public void A_bad_singleton_args_or_type_value_fails_with_the_key_and_what_is_expected()
    {
        var builder = new EventEngineBuilder();
        ConfiguredPlugins.AddTo(builder, ConfigurationFactory.ParseString("run-mode = service")); // no plugins section: nothing to add
        Assert.Empty(builder.Plugins);
        Assert.Equal("event-engine.plugins.hot.singleton = maybe is not valid: expected on or off",
            AddFails($"type = \"{Thermostat}\", args = [1.0, 2], singleton = maybe"));
        Assert.Equal("event-engine.plugins.hot.args = 20.0 is not valid: expected a list of constructor arguments, e.g. [20.0, 1000]",
            AddFails($"type = \"{Thermostat}\", args = 20.0"));
        Assert.Equal("event-engine.plugins.hot.type = \"MyApp.Thermostat, MyApp\": no such type is loaded; write its assembly-qualified name, " +
                     "e.g. \"MyApp.Thermostat, MyApp\"", AddFails("type = \"MyApp.Thermostat, MyApp\""));
        Assert.Empty(builder.Plugins);

        string AddFails(string declaration) =>
            Assert.Throws<EventEngineException>(() => ConfiguredPlugins.AddTo(builder, ConfigurationFactory.ParseString($"plugins.hot {{ {declaration} }}"))).Message;
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
