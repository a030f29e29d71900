using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>A child process whose output lines are collected; killed (whole tree) on dispose.</summary>
internal sealed class OsProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public OsProcess(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Paths.RepoRoot,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue("stderr: " + e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output => string.Join("\n", _lines);

    public bool HasLine(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public async Task WaitForLine(string text, TimeSpan timeout) =>
        await Wait.Until(() => HasLine(text), () => $"'{text}' in the output of {Describe()}:\n{Output}", timeout);

    /// <summary>The first capture of <paramref name="pattern"/> in the output, once it appears.</summary>
    public async Task<string> WaitForMatch(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        string? found = null;
        await Wait.Until(() => (found = _lines.Select(l => regex.Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value) is not null,
            () => $"/{pattern}/ in the output of {Describe()}:\n{Output}", timeout);
        return found!;
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Describe()} did not exit within {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL, as a crash or `kill -9` would end it.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
    }

    private string Describe() => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}";
}

internal static class Paths
{
    public const string Python = "/usr/bin/python3";

    private static string Metadata(string key) => typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    public static string ExampleDll => Path.Combine(RepoRoot, "example", "EventEngine.Example", "bin", Configuration, "net10.0", "EventEngine.Example.dll");

    public static string PyEvents => Path.Combine(RepoRoot, "pyevents");

    public static string PluginScript => Path.Combine(RepoRoot, "example", "pyplugin", "plugin.py");

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Writes a Python script into a fresh temporary file and returns its path.</summary>
    public static string Script(string source)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-test-{Guid.NewGuid():N}.py");
        File.WriteAllText(path, source);
        return path;
    }

    /// <summary>Distinct TCP ports on 127.0.0.1 that were free a moment ago.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
