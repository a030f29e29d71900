using System.Net;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.TestSupport;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Dashboard.Tests;

/// <summary>The JSON API and the stream of the standalone dashboard, over real HTTP on loopback.</summary>
public sealed class DashboardApiTests
{
    [Fact]
    public async Task State_and_stream_show_the_engine_and_the_token_guards_them()
    {
        var system = ActorSystem.Create("dashboard-api", ConfigurationFactory.ParseString("""
            event-engine { run-mode = service, wire.enabled = off, dashboard { enabled = on, port = 0, token = "s3cret" } }
            """).WithFallback(EventEngine.ReferenceConfig));
        try
        {
            var engine = EventEngine.Start(system, e => e.AddExamplePlugins().AddDashboard());
            var address = EventEngineDashboard.AddressOf(engine)!;
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/engine$", address.ToString());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(address + "/api/state")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(address + "/api/state?token=wrong")).StatusCode);

            // MsgProducer's five TypeA reach Counter, whose TypeB reach MsgProducer (it then waits for a TypeC forever)
            JsonNode state = null!;
            await Wait.Until(async () =>
            {
                state = JsonNode.Parse(await http.GetStringAsync(address + "/api/state?token=s3cret"))!;
                return state["eventTypes"]!.AsArray().Any(t => (string)t!["name"]! == "TypeB" && (long)t["published"]! == MsgProducer.Messages);
            }, () => "TypeB to reach 5 published: " + state?.ToJsonString(), TimeSpan.FromSeconds(30));
            var plugins = state["plugins"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!);
            Assert.Equal("running", (string)plugins["MsgProducer"]["state"]!);
            Assert.Equal("finished", (string)plugins["Counter"]["state"]!);
            Assert.Equal("internal", (string)plugins["Counter"]["kind"]!);
            Assert.Contains(state["edges"]!.AsArray(), e => (string)e!["from"]! == "Counter" && (string)e["to"]! == "TypeB" && (string)e["kind"]! == "publish" && (long)e["total"]! == MsgProducer.Messages);
            Assert.Contains(state["edges"]!.AsArray(), e => (string)e!["from"]! == "TypeB" && (string)e["to"]! == "MsgProducer" && (string)e["kind"]! == "subscribe");
            Assert.Contains(state["subscriptions"]!.AsArray(), s => (string)s!["plugin"]! == "MsgProducer" && s["prefixes"]!.AsArray().Any(p => (string)p! == "TypeC"));
            Assert.Equal("Utf8TextCodec", (string)state["eventTypes"]!.AsArray().First(t => (string)t!["name"]! == "TypeA")!["codec"]!);

            using var stream = new StreamReader(await http.GetStreamAsync(address + "/api/stream?token=s3cret"));
            var lines = new List<string>();
            while (lines.Count(l => l.StartsWith("data: {")) < 2) lines.Add(await stream.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new EndOfStreamException());
            Assert.Contains("event: snapshot", lines);

            var page = await http.GetStringAsync(address + "/?token=s3cret");
            Assert.Contains("<svg id=\"graph\"", page);
            Assert.Contains("EventSource", await http.GetStringAsync(address + "/dashboard.js?token=s3cret"));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void A_dashboard_beyond_loopback_needs_a_token()
    {
        var e = Assert.Throws<EventEngineException>(() => DashboardSettings.From(ConfigurationFactory.ParseString(
            "event-engine.dashboard { enabled = on, bind-address = \"0.0.0.0\" }")));
        Assert.Contains("event-engine.dashboard.token", e.Message);
        var settings = DashboardSettings.From(ConfigurationFactory.ParseString(
            "event-engine.dashboard { enabled = on, bind-address = \"0.0.0.0\", token = t }"));
        Assert.Equal("t", settings.Token);
        Assert.Throws<EventEngineException>(() => DashboardSettings.From(ConfigurationFactory.ParseString("event-engine.dashboard.port = 70000")));
    }
}
