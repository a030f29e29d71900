using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class RegistrationTests : Akka.TestKit.Xunit2.TestKit
{
    public RegistrationTests() : base(TestConfig.Engine()) { }

    /// <summary>The example: constructor arguments of other types than string.</summary>
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
