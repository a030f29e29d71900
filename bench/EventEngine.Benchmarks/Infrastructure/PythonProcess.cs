using System.Diagnostics;
using System.Text.Json;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>A Python process of the benchmarks (pyevents on its PYTHONPATH), its output collected, always cleaned up.</summary>
public sealed class PythonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = new();
    private readonly List<string> _stderr = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _name;

    private PythonProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    /// <summary>Starts <paramref name="script"/> (one of the bench's, or a path) with <paramref name="arguments"/>.</summary>
    public static PythonProcess Start(BenchContext context, string script, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(context.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (context.RepoRoot is { } root)
        {
            var pyevents = Path.Combine(root, "pyevents");
            var existing = Environment.GetEnvironmentVariable("PYTHONPATH");
            info.Environment["PYTHONPATH"] = string.IsNullOrEmpty(existing) ? pyevents : $"{pyevents}{Path.PathSeparator}{existing}";
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var python = new PythonProcess(Path.GetFileName(script), process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (python._stdout) python._stdout.Add(e.Data);
            if (e.Data.StartsWith("ready", StringComparison.Ordinal)) python._ready.TrySetResult(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (python._stderr) python._stderr.Add(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return python;
    }

    /// <summary>Waits for the process's <c>ready ...</c> line; returns what follows <c>ready</c>.</summary>
    public async Task<string> WaitReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout));
        if (first != _ready.Task) throw new InvalidOperationException($"{_name} did not get ready:\n{Output()}");
        return _ready.Task.Result["ready".Length..].Trim();
    }

    /// <summary>Waits for the process to exit; returns its <c>bench-result</c> JSON (throws if it has none).</summary>
    public async Task<JsonElement> ResultAsync(TimeSpan timeout)
    {
        await ExitAsync(timeout);
        string? line;
        lock (_stdout) line = _stdout.LastOrDefault(l => l.StartsWith("bench-result ", StringComparison.Ordinal));
        if (line is null) throw new InvalidOperationException($"{_name} printed no result (exit code {_process.ExitCode}):\n{Output()}");
        return JsonDocument.Parse(line["bench-result ".Length..]).RootElement.Clone();
    }

    /// <summary>Waits for the process to exit (killing it after <paramref name="timeout"/>).</summary>
    public async Task ExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{_name} did not finish within {timeout}:\n{Output()}");
        }
        _process.WaitForExit(); // drains the output readers
    }

    /// <summary>Everything the process printed (for error messages).</summary>
    public string Output()
    {
        lock (_stdout)
        lock (_stderr)
            return $"stdout:\n{string.Join('\n', _stdout)}\nstderr:\n{string.Join('\n', _stderr)}";
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
    }
}
