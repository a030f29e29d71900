using System.Diagnostics;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>The example application end to end, from its built dll, on free ports.</summary>
public sealed class ExampleTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_example_launches_the_python_plugin_and_exits_0_when_all_plugins_are_done()
    {
        var ports = Paths.FreePorts(3);
        var clock = Stopwatch.StartNew();
        using var engine = new OsProcess(Paths.Dotnet, [Paths.ExampleDll,
            "--publish-port", $"{ports[0]}", "--subscribe-port", $"{ports[1]}", "--plugin-port", $"{ports[2]}"],
            workingDirectory: Path.GetTempPath());
        Assert.Equal(0, await engine.WaitForExit(Long));
        clock.Stop();

        AssertOriginalFlow(engine);
        // The engine may end before it sees the process exit, so the session's own line is the evidence of a clean quit.
        Assert.True(engine.HasLine("External plugin PyPlugin quit"), engine.Output);
        // A loose bound (about 5 s alone, 17-21 s seen at load average 60): it catches an engine that does not end on
        // its own, not a slow one; the shutdown figure itself is measured by FaultHost's measure-shutdown program.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"took {clock.Elapsed}\n{engine.Output}");
    }

    [Fact]
    public async Task With_no_launch_the_example_serves_a_plugin_started_by_someone_else()
    {
        var ports = Paths.FreePorts(3);
        using var engine = new OsProcess(Paths.Dotnet, [Paths.ExampleDll, "--no-launch",
            "--publish-port", $"{ports[0]}", "--subscribe-port", $"{ports[1]}", "--plugin-port", $"{ports[2]}"]);
        await engine.WaitForLine("ready", Long);
        Assert.False(engine.HasLine("Starting plugin process"), engine.Output);

        using var plugin = new OsProcess(Paths.Python, [Paths.PluginScript], new Dictionary<string, string>
        {
            ["PYTHONPATH"] = Paths.PyEvents,
            ["EVENT_ENGINE_PORT"] = $"{ports[2]}",
        });
        Assert.Equal(0, await plugin.WaitForExit(Long));
        Assert.Equal(0, await engine.WaitForExit(Long));

        Assert.True(plugin.HasLine("PyPlugin got event 10 of 10"), plugin.Output);
        Assert.True(plugin.HasLine("the engine replied 'event-engine: msg published'"), plugin.Output);
        AssertOriginalFlow(engine);
    }

    private static void AssertOriginalFlow(OsProcess engine)
    {
        var output = engine.Output;
        for (var i = 0; i < 5; i++) Assert.Contains($"MsgProducer publishing TypeA 'This is message {i}'", output);
        Assert.Contains("MsgProducer received TypeB 17 (5 of 5)", output);
        Assert.Contains("MsgProducer received TypeC 'Goodbye from python'", output);
        Assert.Contains("External plugin PyPlugin quit", output);
        Assert.Contains("Plugin PyPlugin finished", output);
        Assert.Contains("Plugin MsgProducer finished", output);
        Assert.Contains("Plugin Counter finished", output);
    }
}
