using EventEngine.Actors.Gateway;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>Plugin processes the engine launches: environment, output in the log, restart, stop, no orphans.</summary>
public sealed class ProcessTests
{
    /// <summary>
    /// A tiny plugin: says hello (its pid) by publishing, then, by its first argument: die (exit 3 without quit),
    /// hang (sleep two minutes, far beyond any test, whatever the engine sends), quit, or else wait for one event.
    /// </summary>
    internal const string ChildScript = """
        import os, sys, zmq
        ctx = zmq.Context()
        s = ctx.socket(zmq.REQ)
        s.connect("tcp://%s:%s" % (os.environ["EVENT_ENGINE_HOST"], os.environ["EVENT_ENGINE_PORT"]))
        print("child pid=%d plugin=%s mode=%s" % (os.getpid(), os.environ["EVENT_ENGINE_PLUGIN"], sys.argv[1]), flush=True)
        print("child says hello on stderr", file=sys.stderr, flush=True)
        s.send(b"Hello%d" % os.getpid())
        s.recv()
        if sys.argv[1] == "die":
            os._exit(3)
        if sys.argv[1] == "quit":
            s.send(b"plugin_command: quit")
            s.close(linger=2000)
            ctx.term()  # flushes the quit; without it the process may end before zmq sent it
            sys.exit(0)
        if sys.argv[1] == "hang":
            import time
            time.sleep(120)
        s.send(b"plugin_command: next_msg")
        s.recv()
        """;

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_engine_launches_the_plugin_logs_its_output_and_restarts_it_when_it_dies()
    {
        var script = Paths.Script(ChildScript);
        var received = new Received();
        var pids = new List<int>();
        try
        {
            await using (var t = TestEngine.Start(e => e
                .AddExternalPlugin(new ExternalPlugin("Child", 0, []) { Command = [script, "die"] })
                .AddPlugin<Collector>("Collector", received, "Hello")))
            {
                await Wait.Until(() => received.Items.Distinct().Count() >= 2, () => "hello from two processes\n" + t.Log.Dump(), Long);
                pids.AddRange(received.Items.Select(h => int.Parse(h["Hello".Length..])).Distinct());
                await Wait.Until(() => t.Log.Contains("Child", $"child pid={pids[0]} plugin=Child mode=die"), () => t.Log.Dump());
                Assert.True(t.Log.Events.Any(e => e.LogLevel() == Akka.Event.LogLevel.WarningLevel && e.Message.ToString() == "child says hello on stderr"), t.Log.Dump());
                await Wait.Until(() => t.Log.Contains("Child-process", "exited with code 3 before the plugin quit; restarting it in"), () => t.Log.Dump());
            }
            await Wait.Until(() => pids.All(p => !ProcInfo.IsAlive(p)), "every child gone after shutdown");
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_running_plugin_process_is_stopped_at_shutdown_and_one_that_quit_is_not_restarted()
    {
        var script = Paths.Script(ChildScript);
        var received = new Received();
        try
        {
            int hanging;
            await using (var t = TestEngine.Start(e => e
                .AddExternalPlugin(new ExternalPlugin("Hang", 0, ["Nothing"]) { Command = [script, "hang"] })
                .AddExternalPlugin(new ExternalPlugin("Quitter", 0, []) { Command = [script, "quit"] })
                .AddPlugin<Collector>("Collector", received, "Hello")))
            {
                await Wait.Until(() => t.Log.Contains("Quitter-process", "exited with code 0"), () => "the quitter's exit\n" + t.Log.Dump(), Long);
                await Wait.Until(() => received.Count == 2, "both hellos", Long);
                hanging = int.Parse(t.Log.Events.Select(e => e.Message.ToString()!).First(m => m.Contains("plugin=Hang")).Split(' ')[1]["pid=".Length..]);
                Assert.True(ProcInfo.IsAlive(hanging));
                Assert.False(t.Log.Contains("Quitter-process", "restarting"), t.Log.Dump());
            }
            await Wait.Until(() => !ProcInfo.IsAlive(hanging), "the hanging child stopped at shutdown");
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task A_plugin_process_dies_with_the_engine_even_when_the_engine_is_killed()
    {
        var script = Paths.Script(ChildScript.Replace("sys.argv[1]", "\"hang\""));
        var ports = Paths.FreePorts(3);
        try
        {
            using var engine = new OsProcess(Paths.Dotnet, [Paths.ExampleDll, "--plugin-script", script,
                "--publish-port", $"{ports[0]}", "--subscribe-port", $"{ports[1]}", "--plugin-port", $"{ports[2]}"]);
            var child = int.Parse(await engine.WaitForMatch(@"child pid=(\d+)", Long));
            Assert.True(ProcInfo.IsAlive(child));

            engine.KillHard();
            await engine.WaitForExit(Long);
            await Wait.Until(() => !ProcInfo.IsAlive(child), $"child {child} gone after the engine was killed");
        }
        finally
        {
            File.Delete(script);
        }
    }
}
