using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventEngine.ClusterExample;

/// <summary>
/// <c>--nodes 3</c>: the whole example on this machine, each node in a process of its own on loopback. Node 1 starts
/// first and says where it listens; nodes 2 and 3 join it. Ends when every node has exited (0 when every one exited
/// 0), or stops them all after the timeout. Ctrl+C or SIGTERM stops the nodes in order.
/// </summary>
internal static class ExampleCluster
{
    public static async Task<int> RunAsync(int pluginPort, string? pluginScript, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var common = new List<string> { "--host", "127.0.0.1", "--plugin-port", $"{pluginPort}" };
        if (pluginScript is not null) common.AddRange(["--plugin-script", pluginScript]);
        var nodes = new List<NodeProcess>();
        using var deadline = new CancellationTokenSource(timeout);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupted);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupted);
        try
        {
            nodes.Add(NodeProcess.Start(1, common));
            var seed = await nodes[0].Seed.WaitAsync(deadline.Token);
            for (var node = 2; node <= ExampleNode.Count; node++) nodes.Add(NodeProcess.Start(node, [.. common, "--seed", seed]));
            await Task.WhenAll(nodes.Select(n => n.WaitForExitAsync(deadline.Token)));
            var failed = nodes.Where(n => n.ExitCode != 0).ToList();
            var parts = string.Join(", ", nodes.Select(n => $"node {n.Node} {ExampleNode.Part(n.Node)}"));
            Console.WriteLine(failed.Count == 0
                ? $"cluster example: all {nodes.Count} nodes exited 0 in {clock.Elapsed.TotalSeconds:F1} s ({parts}): the example's flow completed across them"
                : $"cluster example: FAILED: {string.Join(", ", failed.Select(n => $"node {n.Node} ({ExampleNode.Part(n.Node)}) exited {n.ExitCode}"))}");
            return failed.Count == 0 ? 0 : 1;
        }
        catch (OperationCanceledException)
        {
            var running = nodes.Where(n => !n.HasExited).Select(n => $"{n.Node}").ToList();
            Console.WriteLine($"cluster example: FAILED: node(s) {string.Join(", ", running)} still running after {timeout.TotalSeconds:F0} s; stopping them");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"cluster example: FAILED: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }

        // The nodes got the signal too when it came from a terminal: give them the timeout to stop in order.
        void Interrupted(PosixSignalContext context) => context.Cancel = true;
    }
}
