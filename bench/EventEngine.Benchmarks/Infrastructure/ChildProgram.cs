using System.Collections.Concurrent;
using System.Diagnostics;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// This bench program again in a child process, running one of its hidden sub-commands: its stdout read line by line,
/// its stderr kept for error messages. Disposing it kills the process if it still runs.
/// </summary>
public sealed class ChildProgram : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly SemaphoreSlim _printed = new(0); // released per stdout line and at its end: waiting never polls

    private volatile bool _outputEnded;

    private ChildProgram(Process process) => _process = process;

    /// <summary>Starts this program with <paramref name="arguments"/> (a hidden sub-command and its options).</summary>
    public static ChildProgram Start(params string[] arguments)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(ChildProgram).Assembly.Location);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var child = new ChildProgram(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) child._lines.Enqueue(e.Data);
            else child._outputEnded = true;
            child._printed.Release();
        };
        child._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child._errors.Enqueue(e.Data); };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The rest of the first stdout line that starts with <paramref name="prefix"/>, awaited until <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No such line in time, or the child exited first (with its stderr).</exception>
    public async Task<string> WaitForLine(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var ended = _outputEnded; // read before the lines: a line printed last is seen
            if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line) return line[prefix.Length..];
            var left = timeout - clock.Elapsed;
            if (ended || left <= TimeSpan.Zero)
                throw new TimeoutException($"'{string.Join(" ", _process.StartInfo.ArgumentList.Where(a => !a.EndsWith(".dll", StringComparison.Ordinal)))}' printed no '{prefix}' line within {timeout} (output ended: {ended}); its stderr:\n{string.Join("\n", _errors)}");
            await _printed.WaitAsync(left);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the child to exit by itself; whether it did.</summary>
    public async Task<bool> ExitedWithin(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _printed.Dispose();
    }
}
