using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Bridge;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Diagnostics;
using EventEngine.Actors.FlowControl;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Issue 10 items 2 and 3: infrastructure actors are system actors that own their sockets from creation, and the
/// engine stops in order through CoordinatedShutdown, counting every event it did not deliver.
/// </summary>
public sealed class LifecycleFaultTests
{
    [Fact]
    public async Task User_actors_named_like_the_engines_own_actors_do_not_clash_with_them()
    {
        var system = ActorSystem.Create("names", ConfigurationFactory.ParseString("""
            akka.loglevel = OFF
            event-engine { run-mode = service, wire { publish-port = 0, subscribe-port = 0 } }
            """).WithFallback(EventEngine.ReferenceConfig));
        try
        {
            foreach (var name in new[] { "event-engine-bridge", "event-engine-plugins", "event-engine-gateway", "event-engine" })
                system.ActorOf(Props.Empty, name);
            var collected = new Received<long>();
            var engine = EventEngine.Start(system, e => e
                .AddPlugin<Burst>("Burst", 10L)
                .AddPlugin<PingCollector>("Collector", collected)
                .AddExternalPlugin("Py", 0, ["Ping"]));
            using var peer = new PluginPeer(engine.ExternalPluginPort("Py"));
            Assert.Equal(10, peer.Take(10).Count);
            await Wait.Until(() => collected.Count == 10, "10 Pings at the collector");
        }
        finally
        {
            await system.Terminate().WaitAsync(Wait.Long);
        }
    }

    [Fact]
    public async Task A_start_that_fails_after_the_wire_is_bound_releases_the_wire_ports()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0); // the external plugin's port is taken
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        // The wire's ports are chosen free before the start; another process may take one meanwhile (then the start fails
        // on the wire, not on the plugin's port): a few attempts with fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            var (publish, subscribe) = (FreePort(), FreePort());
            var system = ActorSystem.Create("failed-start", ConfigurationFactory.ParseString($$"""
                akka.loglevel = OFF
                event-engine { run-mode = service, wire { publish-port = {{publish}}, subscribe-port = {{subscribe}} } }
                """).WithFallback(EventEngine.ReferenceConfig));
            try
            {
                var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, e => e.AddExternalPlugin("Py", taken, ["Ping"])));
                if (attempt < 3 && error.Message.Contains("event-engine.wire")) continue;
                Assert.Contains(taken.ToString(), error.Message);
                // The actor system goes on (a host may retry or report); the wire's ports must be free all the same.
                await Wait.Until(() => CanBind(publish) && CanBind(subscribe), $"ports {publish} and {subscribe} released after the failed start");
                return;
            }
            finally
            {
                await system.Terminate().WaitAsync(Wait.Long);
            }
        }
    }

    [Fact]
    public void A_frame_sent_while_the_wire_is_disposed_is_a_counted_drop_not_an_exception_at_its_publisher()
    {
        using var metrics = new EngineMetrics("race");
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        long dropped = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "event_engine.events.dropped") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "reason" && Equals(tag.Value, "engine-stopped")) Interlocked.Add(ref dropped, value);
        });
        listener.Start();
        var wire = new WireLink(new WireSettings(true, "127.0.0.1", 0, 0, 1000, 1 << 20), $"race-{Guid.NewGuid():N}",
            new CreditWindow("wire", 10, 5), _ => { }, Akka.Event.NoLogger.Instance, metrics: metrics);
        wire.Start(_ => { });
        wire.Dispose();

        wire.Send("late"u8.ToArray());

        Assert.Equal(1, Interlocked.Read(ref dropped));
    }

    [Fact]
    public async Task At_shutdown_in_flight_events_are_drained_for_a_bounded_time_and_every_one_not_delivered_is_counted_as_engine_stopped()
    {
        var collected = new Received<long>();
        var engine = TestEngine.Start(e => e
            .AddPlugin<Burst>("Burst", 100_000L)
            .AddPlugin<SlowPingCollector>("Slow", collected), """
            event-engine {
              flow-control { high-water-mark = 2000, low-water-mark = 1000 }
              shutdown.drain-timeout = 200ms
            }
            """);
        await using (engine)
        {
            await Wait.Until(() => collected.Count >= 100, "the slow collector under way");
            await CoordinatedShutdown.Get(engine.System).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Wait.Long);
            await engine.System.WhenTerminated.WaitAsync(Wait.Long);

            var published = engine.Metrics.Sum("event_engine.events.published", "event_type", "Ping");
            var stopped = engine.Metrics.Sum("event_engine.events.dropped", "reason", "engine-stopped");
            Assert.True(stopped > 0, $"the drain timeout was meant to leave events undelivered; dropped: {engine.Metrics.Describe("event_engine.events.dropped", "reason")}");
            Assert.Equal(published, collected.Count + stopped);
            Assert.Equal(0, engine.Metrics.Sum("event_engine.events.dropped", "reason", "subscriber-stopped"));
            Assert.Equal(0, engine.Metrics.Sum("event_engine.events.poison"));
            Assert.Equal(0, engine.Metrics.Sum("event_engine.plugin.restarts"));
            Assert.Equal(EngineState.Stopped, engine.Engine.Status().State);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
