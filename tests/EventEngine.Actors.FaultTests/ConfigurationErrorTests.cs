using Akka.Actor;
using Akka.Configuration;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 9: every invalid value fails start-up with one line naming the key, the value and what is allowed.</summary>
public sealed class ConfigurationErrorTests
{
    [Theory]
    [InlineData("event-engine.flow-control.high-water-mark = lots", "event-engine.flow-control.high-water-mark = lots is not valid: expected a whole number")]
    [InlineData("event-engine.flow-control.enabled = maybe", "event-engine.flow-control.enabled = maybe is not valid: expected on or off")]
    [InlineData("event-engine.startup.timeout = soon", "event-engine.startup.timeout = soon is not valid: expected a duration")]
    [InlineData("event-engine.wire.max-message-size = huge", "event-engine.wire.max-message-size = huge is not valid: expected a size")]
    [InlineData("event-engine.wire.publish-port = 70000", "event-engine.wire.publish-port = 70000 is not valid: expected a TCP port")]
    [InlineData("event-engine.supervision.on-restart-limit = explode", "event-engine.supervision.on-restart-limit = 'explode' is not valid: expected one of: stop, shutdown")]
    [InlineData("event-engine.gateway.on-queue-full = 3", "event-engine.gateway.on-queue-full = '3' is not valid: expected one of: backpressure, drop-oldest, drop-newest, drop-and-finish")]
    [InlineData("event-engine.gateway.plugin-transport = zeromq", "event-engine.gateway.plugin-transport = 'zeromq' is not valid: expected one of: netmq, lean")]
    [InlineData("event-engine.gateway.max-connections-per-port = 0", "event-engine.gateway.max-connections-per-port = 0 is not valid: expected a whole number of at least 1")]
    [InlineData("event-engine.gateway.max-queue = 0", "event-engine.gateway.max-queue = 0 is not valid: expected a whole number of at least 1")]
    [InlineData("event-engine.external-plugins.Py { port = 0, subscriptions = [A], connect-timeout = later }",
        "event-engine.external-plugins.\"Py\".connect-timeout = later is not valid: expected a duration")]
    [InlineData("event-engine.gateway.processes.stop-timeout = -1s", "event-engine.gateway.processes.stop-timeout = -1")]
    [InlineData("event-engine.wire.bind-address = engine.example", "event-engine.wire.bind-address = \"engine.example\" is not valid: expected an IP address")]
    [InlineData("event-engine.gateway.bind-address = localhost", "event-engine.gateway.bind-address = \"localhost\" is not valid: expected an IP address")]
    public async Task An_invalid_value_fails_start_up_with_one_line_naming_key_value_and_what_is_allowed(string hocon, string expected)
    {
        var system = ActorSystem.Create("bad-config", ConfigurationFactory.ParseString("""
            event-engine.wire { publish-port = 0, subscribe-port = 0 }
            akka.loglevel = OFF

            """ + hocon).WithFallback(EventEngine.ReferenceConfig));
        try
        {
            var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, e => e.AddExternalPlugin("Other", 0, ["B"])));
            Assert.StartsWith(expected, error.Message);
            Assert.Contains(" is not valid: expected ", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
