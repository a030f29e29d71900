using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class ConfigurationTests : Akka.TestKit.Xunit2.TestKit
{
    public ConfigurationTests() : base(TestConfig.Engine("""
        custom-dispatcher {
          type = Dispatcher
          executor = fork-join-executor
          fork-join-executor { parallelism-min = 1, parallelism-max = 1 }
        }
        event-engine.plugins.special.dispatcher = custom-dispatcher
        """)) { }

    private sealed class DispatcherReporter : EventPlugin
    {
        private readonly IActorRef _probe;

        public DispatcherReporter(IActorRef probe) => _probe = probe;

        protected override void OnStart() => _probe.Tell((Name, Context.Dispatcher.Id, Thread.CurrentThread.Name ?? ""));
    }

    [Fact]
    public void A_per_plugin_dispatcher_override_takes_effect_and_others_use_the_default_plugin_dispatcher()
    {
        EventEngine.Start(Sys, e => e
            .AddPlugin<DispatcherReporter>("special", TestActor)
            .AddPlugin<DispatcherReporter>("ordinary", TestActor));
        var reports = ReceiveN(2, TimeSpan.FromSeconds(20)).Cast<(string Name, string Dispatcher, string Thread)>().ToDictionary(r => r.Name);
        Assert.Equal("custom-dispatcher", reports["special"].Dispatcher);
        Assert.Contains("custom-dispatcher", reports["special"].Thread);
        Assert.Equal("event-engine.dispatchers.plugins", reports["ordinary"].Dispatcher);
    }

    [Fact]
    public void The_reference_configuration_is_the_fallback()
    {
        var engine = EventEngine.Start(Sys, _ => { });
        Assert.Equal("127.0.0.1", engine.Settings.Wire.BindAddress);
        Assert.Equal(16 * 1024 * 1024, engine.Settings.Wire.MaxMessageSize);
        Assert.True(engine.Settings.FlowControl.Enabled);
        Assert.Equal(10, engine.Settings.Supervision.MaxRestarts);
    }
}
