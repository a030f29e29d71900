using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>The test kit takes a plugin in the shapes the engine's builder takes (one plugin per test).</summary>
public class RegistrationShapeTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    [Fact]
    public void Arguments_without_a_name() =>
        StartPlugin<Thermostat>(20.0, 1000).ExpectPublished(new ThermostatSet("Thermostat", 20.0, 1000));

    [Fact]
    public void A_name_then_arguments() =>
        StartPlugin<Thermostat>("hot", 30.5, 500).ExpectPublished(new ThermostatSet("hot", 30.5, 500));

    [Fact]
    public void A_typed_factory() =>
        StartPlugin(() => new Thermostat(5.0, 100)).ExpectPublished(new ThermostatSet("Thermostat", 5.0, 100));

    [Fact]
    public void A_name_and_a_typed_factory() =>
        StartPlugin("cold", () => new Thermostat(5.0, 100)).ExpectPublished(new ThermostatSet("cold", 5.0, 100));

    [Fact]
    public void A_wrong_argument_list_fails_at_once_naming_the_plugin_and_its_constructors()
    {
        var swapped = Assert.Throws<ArgumentException>(() => StartPlugin<Thermostat>(1000, 20.0));
        Assert.Contains("plugin 'Thermostat': no public constructor of Thermostat takes (Int32, Double)", swapped.Message);
        Assert.Contains("its constructors: Thermostat(Double target, Int32 period)", swapped.Message);

        var nameOnly = Assert.Throws<ArgumentException>(() => StartPlugin<Thermostat>("hot"));
        Assert.Contains("plugin 'hot': no public constructor of Thermostat takes ()", nameOnly.Message);
    }
}
