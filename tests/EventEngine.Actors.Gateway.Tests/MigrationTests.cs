using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>
/// Moving an application from the original event-engine (docs/migrating.md): its plugins launched unchanged, a plugin
/// that cannot start, exit codes when interrupted, and the separate-container topology on loopback addresses.
/// </summary>
public sealed class MigrationTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    /// <summary>The original example's plugin.py as its users wrote it; only the port comes from the engine (the original hard-codes 6000).</summary>
    private const string OriginalPlugin = """
        import os
        import time
        import zmq
        from events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command

        context = zmq.Context()
        socket = get_plugin_socket(context, int(os.environ["EVENT_ENGINE_PORT"]))
        done = False
        total_messages = 1
        print("top of pyplugin, entering main loop")
        while not done:
            msg_bytes = get_next_msg(socket)
            print(f"just got message {total_messages}; contents: {msg_bytes}")
            total_messages += 1
            if total_messages == 11:
                done = True
        time.sleep(0.3)
        publish_msg(socket, "TypeCGoodbye from python".encode())
        print("sending quit command...")
        send_quit_command(socket)
        print("quit command sent; exiting.")
        """;

    [Fact]
    public async Task An_original_plugin_launched_by_the_example_imports_events_and_completes_with_exit_0()
    {
        var script = Paths.Script(OriginalPlugin);
        using var engine = Example(["--plugin-script", script]);
        Assert.Equal(0, await engine.WaitForExit(Long));

        Assert.True(engine.HasLine("PyPlugin: just got message 10; contents: b'TypeB"), engine.Output);
        Assert.True(engine.HasLine("MsgProducer received TypeC 'Goodbye from python'"), engine.Output);
        Assert.True(engine.HasLine("External plugin PyPlugin quit"), engine.Output);
        Assert.False(engine.HasLine("ERROR"), engine.Output);
    }

    [Fact]
    public void The_compat_folder_adds_events_and_no_other_top_level_name()
    {
        var check = Paths.Script("""
            import importlib.util, events, pyevents.events
            assert events is pyevents.events
            print([m for m in ("client", "errors", "protocol") if importlib.util.find_spec(m) is not None])
            """);
        var info = new ProcessStartInfo(Paths.Python, [check]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["PYTHONPATH"] = $"{Paths.PyEvents}:{Path.Combine(Paths.PyEvents, "compat")}";
        using var python = Process.Start(info)!;
        var output = python.StandardOutput.ReadToEnd() + python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(60_000));
        Assert.Equal(0, python.ExitCode);
        Assert.Equal("[]", output.Trim());
    }

    [Fact]
    public async Task A_plugin_that_always_fails_at_import_ends_the_engine_with_exit_1_the_error_and_its_stderr()
    {
        var script = Paths.Script("import zmq\nfrom a_module_nobody_has import something\n");
        var clock = Stopwatch.StartNew();
        using var engine = Example(["--plugin-script", script]);
        Assert.Equal(1, await engine.WaitForExit(Long));
        clock.Stop();

        Assert.True(engine.HasLine("ERROR PyPlugin-process: Plugin process PyPlugin died during its start-up 3 time(s) in a row"), engine.Output);
        Assert.True(engine.HasLine("    ModuleNotFoundError: No module named 'a_module_nobody_has'"), engine.Output); // the stderr tail, in the ERROR
        Assert.True(engine.HasLine("Hint: a module it imports is not on its PYTHONPATH"), engine.Output);
        Assert.True(engine.HasLine("Exiting with [ExitCode:1]"), engine.Output);
        Assert.False(engine.HasLine("ExitCode:0"), engine.Output);
        // three launches with 0.5 s and 1 s of backoff between them: seconds, not the old endless 0.5..30 s loop
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}\n{engine.Output}");
    }

    [Theory]
    [InlineData(2, 130)] // SIGINT (Ctrl+C)
    [InlineData(15, 143)] // SIGTERM
    public async Task A_signal_before_every_plugin_finished_exits_with_128_plus_its_number(int signal, int expected)
    {
        using var engine = Example(["--no-launch"]);
        await engine.WaitForLine("ready", Long);
        Assert.Equal(0, Kill(engine.Id, signal));
        Assert.Equal(expected, await engine.WaitForExit(Long));
        Assert.True(engine.HasLine($"Exiting with [ExitCode:{expected}]"), engine.Output);
        Assert.False(engine.HasLine("ExitCode:0"), engine.Output);
    }

    [Fact]
    public async Task A_port_in_use_fails_with_one_line_naming_the_real_key_and_no_exit_code_0()
    {
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var ports = Paths.FreePorts(2);
            using var engine = new OsProcess(Paths.Dotnet, [Paths.ExampleDll, "--no-launch",
                "--publish-port", $"{port}", "--subscribe-port", $"{ports[0]}", "--plugin-port", $"{ports[1]}"]);
            Assert.Equal(1, await engine.WaitForExit(Long));
            Assert.Equal($"stderr: example: cannot bind event-engine.wire.publish-port tcp://127.0.0.1:{port}: the port is already in use", engine.Output.Trim());
        }
        finally
        {
            taken.Stop();
        }
    }

    // The original's docker-compose topology on one machine: the plugin reaches the engine at another address (127.0.0.2).
    [Fact]
    public async Task Bound_to_all_interfaces_the_engine_serves_a_plugin_connecting_through_another_address()
    {
        using var engine = Example(["--no-launch", "--bind-address", "0.0.0.0"], out var pluginPort);
        await engine.WaitForLine("ready", Long);
        await engine.WaitForLine("WARN  EventEngine: Listening beyond loopback without CURVE: publish port tcp://0.0.0.0:", Long);

        using var plugin = new OsProcess(Paths.Python, [Paths.Script(OriginalPlugin)], new Dictionary<string, string>
        {
            ["PYTHONPATH"] = $"{Paths.PyEvents}:{Path.Combine(Paths.PyEvents, "compat")}",
            ["EVENT_ENGINE_HOST"] = "127.0.0.2",
            ["EVENT_ENGINE_PORT"] = $"{pluginPort}",
        });
        Assert.Equal(0, await plugin.WaitForExit(Long));
        Assert.Equal(0, await engine.WaitForExit(Long));
        Assert.True(engine.HasLine("MsgProducer received TypeC 'Goodbye from python'"), engine.Output);
    }

    [Fact]
    public async Task Bound_to_loopback_by_default_the_engine_is_not_reachable_through_another_address()
    {
        using var engine = Example(["--no-launch"], out var pluginPort);
        await engine.WaitForLine("Start-up barrier: waiting for PyPlugin", Long); // logged after the engine's start-up lines
        Assert.False(engine.HasLine("Listening beyond loopback"), engine.Output);

        var probe = Paths.Script("""
            import os
            from pyevents import EngineClient, EngineTimeout
            with EngineClient(host="127.0.0.2", port=int(os.environ["EVENT_ENGINE_PORT"]), reply_timeout=2.0) as client:
                try:
                    client.next_event(timeout=0)
                    print("reached the engine")
                except EngineTimeout as e:
                    print(f"EngineTimeout: {e}")
            """);
        using var client = new OsProcess(Paths.Python, [probe], new Dictionary<string, string>
        {
            ["PYTHONPATH"] = Paths.PyEvents,
            ["EVENT_ENGINE_PORT"] = $"{pluginPort}",
        });
        Assert.Equal(0, await client.WaitForExit(Long));
        Assert.True(client.HasLine($"EngineTimeout: no reply from the engine at tcp://127.0.0.2:{pluginPort} within"), client.Output);
        Assert.False(engine.HasLine("External plugin PyPlugin connected"), engine.Output);
    }

    [Fact]
    public async Task A_refused_request_is_logged_with_its_reason_once_per_interval_per_plugin()
    {
        await using var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        using var peer = t.Peer("Py");
        for (var i = 0; i < 3; i++)
            Assert.StartsWith("event-engine: bad msg: unknown command", peer.RequestText("plugin_command: bogus"));
        await Wait.Until(() => t.Log.Contains("Plugin Py: refused a request (unknown-command): unknown command", Akka.Event.LogLevel.WarningLevel),
            () => "the refusal's WARN\n" + t.Log.Dump(), Long);
        Assert.Equal(1, t.Log.Count("refused a request")); // the next two fall within the interval: counted, not logged
    }

    [Fact]
    public async Task After_the_start_up_timeout_the_log_names_who_started_without_whom()
    {
        await using var t = TestEngine.Start(e => e
                .AddPlugin<Collector>("Collector", new Received(), "Nothing")
                .AddExternalPlugin("Absent", 0, ["TypeA"]),
            "event-engine.startup { timeout = 1s, progress-interval = 200ms }");
        await t.Engine.Started.WaitAsync(Long);
        await Wait.Until(() => t.Log.Contains("Start-up barrier timed out after 00:00:01 (event-engine.startup.timeout): Absent not ready; starting Collector without Absent"),
            () => "the barrier's ERROR\n" + t.Log.Dump(), Long);
        Assert.False(t.Log.Contains("plugin(s) ready; started"), t.Log.Dump());
    }

    private static OsProcess Example(IEnumerable<string> args) => Example(args, out _);

    private static OsProcess Example(IEnumerable<string> args, out int pluginPort)
    {
        var ports = Paths.FreePorts(3);
        pluginPort = ports[2];
        return new OsProcess(Paths.Dotnet, [Paths.ExampleDll,
            "--publish-port", $"{ports[0]}", "--subscribe-port", $"{ports[1]}", "--plugin-port", $"{ports[2]}", .. args],
            workingDirectory: Path.GetTempPath());
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
