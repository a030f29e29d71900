using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace EventEngine.Actors.TestSupport;

/// <summary>A built program of this repository running in the background (a service such as the example with --dashboard); killed with its children on dispose.</summary>
public sealed class RunningProgram : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private RunningProgram(Process process) => _process = process;

    /// <summary>Everything it printed so far (stderr lines prefixed).</summary>
    public string Output => string.Join("\n", _lines);

    /// <summary>Starts <c>dotnet DLL ARGS</c> in the repository root.</summary>
    public static RunningProgram Start(string dll, params string[] args) => StartProcess("dotnet", new Dictionary<string, string>(), [dll, .. args]);

    /// <summary>Starts <paramref name="fileName"/> in the repository root with extra environment variables.</summary>
    public static RunningProgram StartProcess(string fileName, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ProgramRunner.RepoRoot };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var program = new RunningProgram(new Process { StartInfo = info });
        program._process.OutputDataReceived += (_, e) => { if (e.Data is not null) program._lines.Enqueue(e.Data); };
        program._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) program._lines.Enqueue("stderr: " + e.Data); };
        program._process.Start();
        program._process.BeginOutputReadLine();
        program._process.BeginErrorReadLine();
        return program;
    }

    /// <summary>Waits for it to exit by itself; its exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>The first output line matching <paramref name="pattern"/>, awaited until <paramref name="timeout"/>.</summary>
    public async Task<Match> WaitForLine(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_lines.Select(l => regex.Match(l)).FirstOrDefault(m => m.Success) is { } match) return match;
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"/{pattern}/ not printed by {_process.StartInfo.ArgumentList[0]} within {timeout} (exited: {_process.HasExited}); its output:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGSTOP: it stops running without closing anything (a partition as others see it: nothing answers); <see cref="Dispose"/> still kills it.</summary>
    public void Freeze() => Signal(Sigstop);

    /// <summary>SIGCONT: a frozen program runs on from where it stopped.</summary>
    public void Thaw() => Signal(Sigcont);

    // Linux's numbers (tests run on Linux)
    private const int Sigcont = 18;
    private const int Sigstop = 19;

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
