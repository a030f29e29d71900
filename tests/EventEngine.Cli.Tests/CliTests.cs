using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventEngine.Cli.Tests;

/// <summary>The eventengine tool as a real process against the example engine in a real process.</summary>
public sealed class CliTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private static string Cli => ProgramRunner.BuiltDll("src", "EventEngine.Cli");

    [Fact]
    public async Task Echo_sees_the_example_events_pub_reaches_an_internal_plugin_and_plugins_lists_all_three()
    {
        // --no-launch: the example waits at its start-up barrier for PyPlugin, so echo can subscribe before events flow
        using var engine = RunningProgram.Start(ProgramRunner.ExampleDll("EventEngine.Example"),
            "--dashboard", "--no-launch", "--publish-port", "0", "--subscribe-port", "0", "--plugin-port", "0");
        var ports = await engine.WaitForLine(@"publish port (\d+), subscribe port (\d+)", Generous);
        var pluginPort = (await engine.WaitForLine(@"EVENT_ENGINE_PORT=(\d+)", Generous)).Groups[1].Value;
        var dashboard = (await engine.WaitForLine(@"^dashboard: (\S+)$", Generous)).Groups[1].Value;
        string[] Ports(params string[] args) =>
            [Cli, .. args, "--publish-port", ports.Groups[1].Value, "--subscribe-port", ports.Groups[2].Value, "--dashboard", dashboard];

        using var echo = RunningProgram.StartProcess("dotnet", new Dictionary<string, string>(), Ports("echo", "Type", "--count", "10"));
        await WaitUntilWireSubscribes(dashboard, "Type");

        var pub = await ProgramRunner.RunAsync(Cli, string.Join(' ', Ports("pub", "TypeA", "--text", "\"hello from the cli\"").Skip(1)), Generous);
        Assert.True(pub.ExitCode == 0, pub.StdOut + pub.StdErr);
        Assert.Contains("published 1 TypeA event(s)", pub.StdOut);

        using var python = RunningProgram.StartProcess("/usr/bin/python3",
            new Dictionary<string, string> { ["PYTHONPATH"] = Path.Combine(ProgramRunner.RepoRoot, "pyevents"), ["EVENT_ENGINE_PORT"] = pluginPort },
            Path.Combine(ProgramRunner.RepoRoot, "example", "pyplugin", "plugin.py"));
        await engine.WaitForLine("Counter received TypeA 'hello from the cli'", Generous); // pub'd event reached an internal plugin

        Assert.Equal(0, await echo.WaitForExit(Generous));
        Assert.Contains("TypeA hello from the cli", echo.Output);
        Assert.Contains("TypeA This is message 0", echo.Output);
        Assert.Matches(@"TypeB \d+", echo.Output);

        var plugins = await ProgramRunner.RunAsync(Cli, $"plugins --dashboard {dashboard}", Generous);
        Assert.True(plugins.ExitCode == 0, plugins.StdOut + plugins.StdErr);
        foreach (var name in new[] { "MsgProducer", "Counter", "PyPlugin" }) Assert.Contains(name, plugins.StdOut);
    }

    [Fact]
    public async Task Hz_graph_types_top_and_bench_against_the_example_engine()
    {
        using var engine = RunningProgram.Start(ProgramRunner.ExampleDll("EventEngine.Example"),
            "--dashboard", "--publish-port", "0", "--subscribe-port", "0", "--plugin-port", "0");
        var ports = await engine.WaitForLine(@"publish port (\d+), subscribe port (\d+)", Generous);
        var dashboard = (await engine.WaitForLine(@"^dashboard: (\S+)$", Generous)).Groups[1].Value;
        await engine.WaitForLine("MsgProducer done", Generous);
        var options = $"--publish-port {ports.Groups[1].Value} --subscribe-port {ports.Groups[2].Value} --dashboard {dashboard}";

        // The dashboard samples about once a second: the first graph may predate the example's events (seen in CI).
        (int ExitCode, string StdOut, string StdErr) graph = default;
        await Wait.Until(async () =>
        {
            graph = await ProgramRunner.RunAsync(Cli, $"graph {options}", Generous);
            return graph.ExitCode == 0 && graph.StdOut.Contains("publishes → TypeA") && graph.StdOut.Contains("publishes → TypeB");
        }, () => $"graph to show both of MsgProducer's publications; its last run exited {graph.ExitCode}:\n{graph.StdOut}{graph.StdErr}", Generous);
        var types = await ProgramRunner.RunAsync(Cli, $"types {options}", Generous);
        foreach (var type in new[] { "TypeA", "TypeB", "TypeC" }) Assert.Contains(type, types.StdOut);
        var top = await ProgramRunner.RunAsync(Cli, $"top --iterations 1 {options}", Generous);
        Assert.True(top.ExitCode == 0, top.StdOut + top.StdErr);
        Assert.Contains("MsgProducer", top.StdOut);

        using var hz = RunningProgram.StartProcess("dotnet", new Dictionary<string, string>(), [Cli, "hz", "TypeA", "--seconds", "30", .. options.Split(' ')]);
        await WaitUntilWireSubscribes(dashboard, "TypeA");
        var pub = await ProgramRunner.RunAsync(Cli, $"pub TypeA --text tick --count 40 --rate 20 {options}", Generous);
        Assert.True(pub.ExitCode == 0, pub.StdOut + pub.StdErr);
        await hz.WaitForLine(@"^TypeA: [1-9]\d*/s", Generous);

        var bench = await ProgramRunner.RunAsync(Cli, $"bench --size 64 --count 2000 {options}", Generous);
        Assert.True(bench.ExitCode == 0, bench.StdOut + bench.StdErr);
        Assert.Matches(@"subscribe: [1-9][\d,]* events in", bench.StdOut);
    }

    [Fact]
    public async Task Echo_without_an_engine_exits_non_zero_within_5_seconds_saying_so()
    {
        var port = UnusedPort();
        var started = Stopwatch.StartNew();
        var echo = await ProgramRunner.RunAsync(Cli, $"echo TypeA --count 5 --subscribe-port {port}", Generous);
        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains($"no engine at 127.0.0.1:{port}", echo.StdErr);
        Assert.Contains("is it running?", echo.StdErr);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(10), $"took {started.Elapsed} (including the process start on a busy machine)");
    }

    [Fact]
    public async Task Pub_without_an_engine_and_plugins_without_a_dashboard_fail_with_the_reason()
    {
        var pub = await ProgramRunner.RunAsync(Cli, $"pub TypeA --text hi --publish-port {UnusedPort()}", Generous);
        Assert.Equal(2, pub.ExitCode);
        Assert.Contains("no engine at", pub.StdErr);
        var plugins = await ProgramRunner.RunAsync(Cli, $"plugins --dashboard http://127.0.0.1:{UnusedPort()}/engine", Generous);
        Assert.Equal(2, plugins.ExitCode);
        Assert.Contains("no engine dashboard at", plugins.StdErr);
        var bad = await ProgramRunner.RunAsync(Cli, $"pub TypeA --json \"{{not json\" --publish-port {UnusedPort()}", Generous);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--json is not valid JSON", bad.StdErr);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilWireSubscribes(string dashboard, string prefix)
    {
        using var http = new HttpClient();
        await Wait.Until(async () => (await http.GetStringAsync(dashboard + "/api/state")).Contains($"\"wireSubscribers\":[\"{prefix}\""),
            () => $"the engine to see an outside subscription to {prefix}", Generous);
    }
}
