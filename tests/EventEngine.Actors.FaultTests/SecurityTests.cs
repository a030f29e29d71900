using System.Net;
using System.Text;
using Akka.Actor;
using EventEngine.Samples.Example;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultTests;

/// <summary>Every TCP endpoint on loopback unless configured; optional CURVE on every one of them, with pyevents as the client.</summary>
public sealed class SecurityTests
{
    private static readonly NetMQCertificate Server = new();

    private static string CurveOn(NetMQCertificate server) =>
        $"event-engine.security.curve {{ enabled = on, server-secret-key = \"{server.SecretKeyZ85}\" }}";

    /// <summary>Plays a Python client of the engine with pyevents; prints what it got. argv: mode plugin-port publish-port subscribe-port.</summary>
    private const string PythonClient = """
        import os, sys, time, zmq
        from pyevents import EngineClient, EngineTimeout, configure_curve
        from pyevents.events import get_plugin_socket, get_next_msg, publish_msg
        mode, port, pub_port, sub_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        key = os.environ.get("SERVER_KEY")  # None in the 'nokey' mode
        ctx = zmq.Context.instance()
        if mode == "client":
            c = EngineClient(port, curve_server_key=key, reply_timeout=20)
            c.publish(b"TypeAfrom python over curve")
            print("client got", c.next_event(timeout=20).decode(), flush=True)
            c.close(quit=False)  # the session goes on for the next client
        elif mode == "original":  # the original functions; the key comes from EVENT_ENGINE_CURVE_SERVER_KEY
            s = get_plugin_socket(ctx, port)
            print("original published:", publish_msg(s, b"TypeAfrom the original functions"), flush=True)
            s.close(linger=1000)
        elif mode == "pubsub":
            sub = ctx.socket(zmq.SUB); configure_curve(sub, key); sub.connect("tcp://127.0.0.1:%d" % sub_port)
            sub.setsockopt(zmq.SUBSCRIBE, b"TypeApubsub")
            pub = ctx.socket(zmq.PUB); configure_curve(pub, key); pub.connect("tcp://127.0.0.1:%d" % pub_port)
            deadline = time.time() + 20
            while time.time() < deadline:
                pub.send(b"TypeApubsub over curve")
                if sub.poll(50):
                    print("sub got", sub.recv().decode(), flush=True)
                    break
            sub.close(0); pub.close(0)
        elif mode == "nokey":
            c = EngineClient(port, reply_timeout=1.5, linger=0)
            try:
                print("nokey client got", c.next_event(timeout=0.1), flush=True)
            except EngineTimeout:
                print("nokey client got nothing", flush=True)
            sub = ctx.socket(zmq.SUB); sub.connect("tcp://127.0.0.1:%d" % sub_port); sub.setsockopt(zmq.SUBSCRIBE, b"")
            pub = ctx.socket(zmq.PUB); pub.connect("tcp://127.0.0.1:%d" % pub_port)
            got = 0
            deadline = time.time() + 1.5
            while time.time() < deadline:
                pub.send(b"TypeAplaintext without a key")
                if sub.poll(50):
                    sub.recv(); got += 1
            print("nokey sub got %d" % got, flush=True)
            sub.close(0); pub.close(0)
        """;

    private static async Task<ChildProcess> RunPython(TempFiles files, TestEngine t, string mode, string? key, string? pluginPort = null)
    {
        var env = new Dictionary<string, string>();
        if (key is not null) env["SERVER_KEY"] = key;
        if (mode == "original") env["EVENT_ENGINE_CURVE_SERVER_KEY"] = key!;
        var python = ChildProcess.Python(Paths.Script(files, PythonClient),
            [mode, pluginPort ?? t.PortOf("Py").ToString(), t.Engine.PublishPort.ToString(), t.Engine.SubscribePort.ToString()], env);
        Assert.Equal(0, await python.WaitForExit(TimeSpan.FromSeconds(60)));
        return python;
    }

    [Fact]
    public async Task With_curve_on_a_python_client_with_the_server_key_talks_to_every_endpoint()
    {
        var received = new Received<string>();
        using var files = new TempFiles();
        // The lean transport speaks no CURVE: asked for, the plugin port falls back to NetMQ (and says so).
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]).AddPlugin<TextCollector>("Collector", received, null!),
            CurveOn(Server) + "\nevent-engine.gateway.plugin-transport = lean");
        var key = t.Engine.Settings.Curve.PublicKeyZ85!;
        Assert.Equal(Server.PublicKeyZ85, key);
        await Wait.Until(() => t.Log.Contains("the plugin ports run on NetMQ although event-engine.gateway.plugin-transport = lean: CURVE is on"),
            () => "the fallback's log line in:\n" + t.Log.Dump());

        using (var client = await RunPython(files, t, "client", key))
            Assert.Contains("client got TypeAfrom python over curve", client.Output); // its own event, back over the plugin port
        using (var original = await RunPython(files, t, "original", key))
            Assert.Contains("original published: event-engine: msg published", original.Output);
        using (var pubsub = await RunPython(files, t, "pubsub", key))
            Assert.Contains("sub got TypeApubsub over curve", pubsub.Output);
        await Wait.Until(() => received.Items.Contains("pubsub over curve") && received.Items.Contains("from the original functions"),
            () => "the Collector to get the Python events: " + string.Join(", ", received.Items.Distinct()));
        Assert.Equal(0, t.Metrics.Sum("event_engine.connections.refused"));
    }

    [Fact]
    public async Task With_curve_on_a_client_without_the_server_key_gets_nothing_and_nothing_crosses_the_wire_in_clear()
    {
        var received = new Received<string>();
        using var files = new TempFiles();
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]).AddPlugin<TextCollector>("Collector", received, null!), CurveOn(Server));
        using var stop = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                t.Engine.Publish(new TypeA("secret payload"));
                await Task.Delay(20);
            }
        });

        // pyevents without the key: its REQ, SUB and PUB get nowhere.
        using (var nokey = await RunPython(files, t, "nokey", key: null))
        {
            Assert.Contains("nokey client got nothing", nokey.Output);
            Assert.Contains("nokey sub got 0", nokey.Output);
        }
        // A NetMQ client without CURVE: nothing either.
        using (var plain = new PluginPeer(t.PortOf("Py")))
        {
            plain.Send(Encoding.ASCII.GetBytes("plugin_command: next_msg"));
            Assert.Null(plain.Receive(TimeSpan.FromSeconds(1)));
        }
        // A ZMTP 1.0 peer (no security mechanism at all), which NetMQ itself would accept: refused by the gate on every port.
        foreach (var port in new[] { t.PortOf("Py"), t.Engine.PublishPort, t.Engine.SubscribePort })
        {
            using var legacy = new System.Net.Sockets.TcpClient("127.0.0.1", port);
            var stream = legacy.GetStream();
            stream.Write([1, 0, 1, 1, 24, 0, .. "TypeAplaintext over 1.0"u8]); // identity, delimiter, a frame
            legacy.ReceiveTimeout = 10_000;
            var seen = new MemoryStream();
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = stream.Read(buffer)) > 0) seen.Write(buffer, 0, n);
            }
            catch (IOException)
            {
                // reset
            }
            Assert.Equal(0, seen.Length); // refused before a single byte of the engine's
        }
        Assert.Equal(3, t.Metrics.Sum("event_engine.connections.refused", "reason", "not a ZMTP 3 greeting"));

        // A curve client through a relay that records the bytes: the payloads never cross in clear.
        using (var relay = new TcpRelay(t.PortOf("Py")))
        {
            using var client = await RunPython(files, t, "client", t.Engine.Settings.Curve.PublicKeyZ85, relay.Port.ToString());
            Assert.Contains("client got TypeA", client.Output);
            var seen = relay.Seen;
            Assert.True(seen.Length > 200, $"only {seen.Length} bytes crossed the relay");
            Assert.Equal(-1, seen.AsSpan().IndexOf("secret payload"u8));
            Assert.Equal(-1, seen.AsSpan().IndexOf("from python over curve"u8));
            Assert.NotEqual(-1, seen.AsSpan().IndexOf("CURVE"u8)); // the greeting names the mechanism
        }
        stop.Cancel();
        await publisher;
        Assert.DoesNotContain(received.Items, r => r.Contains("plaintext", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_curve_on_an_unchanged_original_python_plugin_launched_by_the_engine_gets_the_key_from_its_environment()
    {
        // The original example (MsgProducer, Counter, and PyPlugin: example/pyplugin/plugin.py, unchanged) under CURVE.
        await using var t = TestEngine.Start(e => e.AddExamplePlugins()
                .AddExternalPlugin("PyPlugin", 0, ["TypeA", "TypeB"], [Path.Combine(Paths.RepoRoot, "example", "pyplugin", "plugin.py")]),
            CurveOn(new NetMQCertificate()) + "\nevent-engine.run-mode = run-to-completion");
        await t.Engine.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        await Wait.Until(() => t.Log.Contains("MsgProducer received TypeC 'Goodbye from python'"), () => t.Log.Dump());
        await Wait.Until(() => t.Log.Contains("(CURVE)"), () => t.Log.Dump());
    }

    [Theory]
    [InlineData("enabled = on", "event-engine.security.curve.server-secret-key is required when event-engine.security.curve.enabled = on")]
    [InlineData("enabled = on, server-secret-key = \"not a key\"", "event-engine.security.curve.server-secret-key is not a 32-byte CURVE key")]
    [InlineData("enabled = on, server-secret-key = \"SECRET\", server-public-key = \"OTHER\"",
        "event-engine.security.curve.server-public-key does not belong to event-engine.security.curve.server-secret-key")]
    public async Task Bad_curve_settings_are_refused_naming_the_setting_and_never_the_key(string curve, string message)
    {
        var secret = new NetMQCertificate().SecretKeyZ85!;
        var hocon = $"event-engine.security.curve {{ {curve.Replace("SECRET", secret).Replace("OTHER", new NetMQCertificate().PublicKeyZ85)} }}";
        using var system = ActorSystem.Create("curve-settings", Akka.Configuration.ConfigurationFactory.ParseString(hocon)
            .WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF")));
        var error = Assert.Throws<EventEngineException>(() => EventEngine.Start(system, _ => { }));
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain(secret, error.Message);
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "")]
    [InlineData(false, "event-engine.wire.bind-address = \"0.0.0.0\"")]
    [InlineData(true, "event-engine.wire.bind-address = \"0.0.0.0\"")]
    public async Task Every_TCP_endpoint_listens_on_loopback_unless_configured(bool curve, string hocon)
    {
        var settings = hocon + (curve ? "\n" + CurveOn(new NetMQCertificate()) : "");
        using var engine = ChildProcess.FaultHost("serve", "--external", "Alpha", "--external", "Beta", "--hocon", settings);
        var ready = await engine.WaitForMatch(@"^ready pid=\d+ publish=(\d+) subscribe=(\d+) plugin:Alpha=(\d+) plugin:Beta=(\d+)$");
        var ports = Enumerable.Range(1, 4).Select(i => int.Parse(ready.Groups[i].Value)).ToArray();
        var wireAddress = hocon.Contains("0.0.0.0") ? IPAddress.Any : IPAddress.Loopback;
        var listening = ProcInfo.ListeningSockets(engine.Id);

        // The four public endpoints, on the configured interfaces (the gateway has its own key, loopback here).
        Assert.Equal(wireAddress, Assert.Single(listening, l => l.Port == ports[0]).Address);
        Assert.Equal(wireAddress, Assert.Single(listening, l => l.Port == ports[1]).Address);
        Assert.Equal(IPAddress.Loopback, Assert.Single(listening, l => l.Port == ports[2]).Address);
        Assert.Equal(IPAddress.Loopback, Assert.Single(listening, l => l.Port == ports[3]).Address);
        // Nothing else, except (with CURVE) the sockets behind the gates, on loopback only.
        var others = listening.Where(l => !ports.Contains(l.Port)).ToList();
        Assert.Equal(curve ? 4 : 0, others.Count);
        Assert.All(others, l => Assert.Equal(IPAddress.Loopback, l.Address));
        engine.WriteLine("stop");
        Assert.Equal(0, await engine.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
