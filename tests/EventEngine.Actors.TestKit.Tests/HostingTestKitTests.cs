using Akka.Actor;
using EventEngine.Samples.Example;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

public sealed record ServiceMarker(string Text);

/// <summary>A plugin test through Akka.Hosting: the plugin runs in the host's actor system, with its services.</summary>
public class HostingPluginTests(ITestOutputHelper output) : EventEngineHostingTestKit(output)
{
    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) =>
        services.AddSingleton(new ServiceMarker("from DI"));

    protected override void ConfigureEngine(EventEngineBuilder engine) => engine.AddPlugin<Counter>();

    [Fact]
    public void Counter_answers_through_the_host()
    {
        var counter = Plugin<Counter>();
        Assert.Equal(["TypeA"], counter.Subscriptions);

        counter.Deliver(new TypeA("hosted"));

        counter.ExpectPublished(new TypeB(6));
        Assert.Equal("from DI", Host.Services.GetRequiredService<ServiceMarker>().Text);
    }

    [Fact]
    public void EventFilter_and_probes_work_in_the_hosted_system()
    {
        var counter = Plugin<Counter>();

        EventFilter.Info(contains: "Counter received TypeA 'logged'").ExpectOne(() => counter.Deliver(new TypeA("logged")));

        var probe = CreateTestProbe();
        probe.Ref.Tell("hello");
        probe.ExpectMsg("hello");
    }
}

/// <summary>An integration test through Akka.Hosting: the whole example with a real bridge on ephemeral ports.</summary>
public class HostingEngineTests(ITestOutputHelper output) : EventEngineHostingTestKit(output)
{
    protected override EngineTestOptions EngineOptions => new() { Wire = true };

    protected override void ConfigureEngine(EventEngineBuilder engine) => engine.AddExamplePlugins();

    [Fact]
    public void The_example_completes_once_an_external_TypeC_arrives()
    {
        Assert.True(Engine.PublishPort > 0);

        Engine.PublishOverWire(new TypeC("external")); // through the TCP publish port, as another process

        Engine.ExpectCompleted(TimeSpan.FromSeconds(10));
        Assert.Equal(10, Engine.Published.Count);
        Assert.True(Plugin<MsgProducer>().IsFinished);
    }
}
