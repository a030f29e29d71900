using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Dashboard.Tests;

/// <summary>A singleton plugin (EventEngine.Actors.Cluster) on the dashboard: kind <c>singleton</c>, and the node it runs on.</summary>
public sealed class SingletonKindTests
{
    [Fact]
    public async Task A_singleton_plugin_shows_kind_singleton_and_its_node_beside_an_internal_plugin()
    {
        var system = ActorSystem.Create("dashboard-singleton", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp.port = 0
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            event-engine { run-mode = service, wire.enabled = off, dashboard { enabled = on, port = 0 } }
            """).WithFallback(EventEngineCluster.ReferenceConfig));
        try
        {
            var engine = EventEngine.Start(system, e => e.AddCluster().AddDashboard()
                .AddSingletonPlugin<Quiet>("OnceInTheCluster").AddPlugin<Quiet>("OnEveryNode"));
            var cluster = Akka.Cluster.Cluster.Get(system);
            await cluster.JoinAsync(cluster.SelfAddress);
            var address = EventEngineDashboard.AddressOf(engine)!;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            JsonNode? singleton = null;
            JsonObject plugins = new();
            await Wait.Until(() =>
            {
                var state = JsonNode.Parse(http.GetStringAsync(address + "/api/state").GetAwaiter().GetResult())!;
                plugins = new JsonObject(state["plugins"]!.AsArray().Select(p => KeyValuePair.Create((string)p!["name"]!, (JsonNode?)p.DeepClone())));
                singleton = plugins["OnceInTheCluster"];
                return singleton is not null && (string)singleton["state"]! == "running";
            }, () => $"the singleton plugin to be running on the dashboard: {plugins.ToJsonString()}");

            Assert.Equal("singleton", (string)singleton!["kind"]!);
            Assert.Equal(cluster.SelfAddress.ToString(), (string)singleton["node"]!);
            Assert.Equal("internal", (string)plugins["OnEveryNode"]!["kind"]!);
            Assert.Equal(system.Name, (string)plugins["OnEveryNode"]!["node"]!);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class Quiet : EventPlugin
    {
    }
}
