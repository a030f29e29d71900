using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EventEngine.ClusterExample;

/// <summary>
/// One node of the example in a process of its own: this program again, with <c>--node N</c>. Its output is relayed
/// line by line, prefixed with its node. Disposing it kills the process (and its plugin process) if it still runs.
/// </summary>
internal sealed partial class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _seed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(int node, Process process)
    {
        Node = node;
        _process = process;
    }

    /// <summary>The node's number (1 to <see cref="ExampleNode.Count"/>).</summary>
    public int Node { get; }

    /// <summary>The host:port the node says other nodes join it with, once it has said so.</summary>
    public Task<string> Seed => _seed.Task;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts node <paramref name="node"/> with <paramref name="arguments"/> after <c>--node N</c>.</summary>
    public static NodeProcess Start(int node, IEnumerable<string> arguments)
    {
        // `dotnet run` and the apphost run this program directly; `dotnet EventEngine.ClusterExample.dll` runs it through dotnet.
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        foreach (var argument in (string[])["--node", $"{node}", .. arguments]) info.ArgumentList.Add(argument);
        var started = new NodeProcess(node, new Process { StartInfo = info });
        started._process.OutputDataReceived += (_, e) => started.Relay(e.Data, Console.Out);
        started._process.ErrorDataReceived += (_, e) => started.Relay(e.Data, Console.Error);
        started._process.Start();
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Waits until the process has exited and its output is relayed.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        _process.WaitForExit(); // drains the output readers
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Relay(string? line, TextWriter to)
    {
        if (line is null)
        {
            _seed.TrySetException(new InvalidOperationException($"node {Node} ended its output without saying where it listens"));
            return;
        }
        to.WriteLine($"node {Node} | {line}");
        if (SeedLine().Match(line) is { Success: true } match) _seed.TrySetResult(match.Groups[1].Value);
    }

    [GeneratedRegex(@"other nodes join it with --seed (\S+)$")]
    private static partial Regex SeedLine();
}
