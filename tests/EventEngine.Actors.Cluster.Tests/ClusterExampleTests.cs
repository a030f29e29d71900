using System.Text.RegularExpressions;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>
/// The cluster example end to end from its built dll: three node processes on loopback, the Python plugin launched by
/// node 3 (pyevents unchanged) exchanging events with internal plugins on nodes 1 and 2, in both directions.
/// </summary>
public sealed class ClusterExampleTests
{
    [Fact]
    public async Task Three_node_processes_run_the_original_flow_with_the_python_plugin_on_its_own_node_and_every_one_exits_0()
    {
        var (exit, stdout, stderr) = await ProgramRunner.RunAsync(ProgramRunner.ExampleDll("EventEngine.ClusterExample"),
            "--nodes 3 --plugin-port 0 --timeout 240", TimeSpan.FromMinutes(5));
        var output = $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(exit == 0, output);
        Assert.Matches(new Regex(@"^cluster example: all 3 nodes exited 0 in [\d.]+ s \(node 1 MsgProducer, node 2 Counter, node 3 PyPlugin\)", RegexOptions.Multiline), stdout);
        for (var node = 1; node <= 3; node++) Assert.True(Lines(stdout, node, @"^node \d \(\w+\) exits with 0$").Count == 1, output);

        // node 1 -> node 2: MsgProducer's five TypeA reach Counter, each once, in order
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"This is message {i}"),
            Lines(stdout, 2, @"Counter received TypeA '(.*)', publishing TypeB 17$"));
        // nodes 1 and 2 -> node 3: the Python plugin gets exactly those five TypeA, then the five TypeB, and nothing more
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"TypeA(text='This is message {i}')").Concat(Enumerable.Repeat("TypeB(count=17)", 5)),
            Lines(stdout, 3, @"PyPlugin got event \d+ of 10: (.*)$"));
        Assert.Single(Lines(stdout, 3, @"External plugin PyPlugin quit$"));
        // node 2 -> node 1 and node 3 -> node 1: five TypeB and the Python plugin's one TypeC, each once
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{i}"), Lines(stdout, 1, @"MsgProducer received TypeB 17 \((\d) of 5\)$"));
        Assert.Equal(["Goodbye from python"], Lines(stdout, 1, @"MsgProducer received TypeC '(.*)'$"));
        Assert.Single(Lines(stdout, 1, @"MsgProducer done: 5 TypeB and 1 TypeC received$"));
        Assert.DoesNotContain("dropped", stdout);
    }

    [Theory]
    [InlineData("--nodes 2", "--nodes 2: the example has 3 parts, one per node (1 MsgProducer, 2 Counter, 3 PyPlugin), so --nodes must be 3")]
    [InlineData("--node 4", "--node 4: choose 1 (MsgProducer), 2 (Counter) or 3 (PyPlugin)")]
    [InlineData("--node 2 --seed 127.0.0.1", "--seed '127.0.0.1' is not host:port (for example 127.0.0.1:4053)")]
    public async Task Bad_arguments_are_refused_with_what_was_wrong(string arguments, string error)
    {
        var (exit, stdout, stderr) = await ProgramRunner.RunAsync(ProgramRunner.ExampleDll("EventEngine.ClusterExample"), arguments, TimeSpan.FromSeconds(60));
        Assert.True(exit != 0, $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains(error, stderr);
    }

    /// <summary>What <paramref name="pattern"/>'s first group (or the whole match) is on each line node <paramref name="node"/> printed.</summary>
    private static List<string> Lines(string stdout, int node, string pattern)
    {
        var regex = new Regex(pattern);
        return stdout.Replace("\r", "").Split('\n')
            .Where(l => l.StartsWith($"node {node} | ", StringComparison.Ordinal))
            .Select(l => regex.Match(l[$"node {node} | ".Length..]))
            .Where(m => m.Success)
            .Select(m => m.Groups.Count > 1 ? m.Groups[1].Value : m.Value)
            .ToList();
    }
}
