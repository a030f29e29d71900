using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

public interface IClock
{
    DateTimeOffset Now { get; }
}

public sealed class FakeClock : IClock
{
    public static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now => Noon;
}

public sealed record Stamped(string Text, long UnixSeconds);

/// <summary>Stamps each TypeA with the injected clock's time; its prefix comes from an explicit argument.</summary>
public sealed class Stamper : EventPlugin
{
    public Stamper(IClock clock, string prefix = "") =>
        Subscribe<TypeA>(a => Publish(new Stamped(prefix + a.Text, clock.Now.ToUnixTimeSeconds())));
}

public class InjectionTests : EventEngineTestKit
{
    [Fact]
    public void PluginTestOptions_Services_inject_a_fake_into_the_plugin_beside_explicit_arguments()
    {
        var services = new ServiceCollection().AddSingleton<IClock, FakeClock>().BuildServiceProvider();
        var stamper = StartPlugin<Stamper>(new PluginTestOptions { Services = services }, "at noon: ");

        stamper.Deliver(new TypeA("lunch"));

        stamper.ExpectPublished(new Stamped("at noon: lunch", FakeClock.Noon.ToUnixTimeSeconds()));
    }

    [Fact]
    public void Without_the_service_the_plugin_fails_to_register_naming_its_constructors()
    {
        var failure = Assert.Throws<ArgumentException>(() =>
            StartPlugin<Stamper>(new PluginTestOptions { Services = new ServiceCollection().BuildServiceProvider() }));
        Assert.Contains("plugin 'Stamper': no public constructor of Stamper takes () with the other parameters resolved from the host's services", failure.Message);
        Assert.Contains("Stamper(IClock clock, String prefix)", failure.Message);
    }
}

/// <summary>docs/testing.md's hosting example: the host's IClock reaches the plugin's constructor.</summary>
public class HostedInjectionTests(ITestOutputHelper output) : EventEngineHostingTestKit(output)
{
    protected override void ConfigureEngine(EventEngineBuilder engine) => engine.AddPlugin<Stamper>();

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) =>
        services.AddSingleton<IClock, FakeClock>();

    [Fact]
    public void Stamps()
    {
        Plugin<Stamper>().Deliver(new TypeA("hosted"));
        Plugin<Stamper>().ExpectPublished(new Stamped("hosted", FakeClock.Noon.ToUnixTimeSeconds()));
    }
}
