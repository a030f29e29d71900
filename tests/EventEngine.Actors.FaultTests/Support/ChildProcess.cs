using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>A child process whose output lines are collected and whose stdin is open; killed (whole tree) on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);

    public ChildProcess(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Paths.RepoRoot,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data is null ? null : "stderr: " + e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs the fault host (tests/EventEngine.Actors.FaultHost) in <paramref name="mode"/>.</summary>
    public static ChildProcess FaultHost(string mode, params string[] args) => new(Paths.Dotnet, [Paths.FaultHostDll, mode, .. args]);

    /// <summary>Runs a Python script with pyevents on its path.</summary>
    public static ChildProcess Python(string script, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["PYTHONPATH"] = Paths.PyEvents, ["PYTHONUNBUFFERED"] = "1" };
        return new ChildProcess(Paths.Python, [script, .. args], env);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Output => string.Join("\n", _lines);

    private void Add(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        _newLine.Release();
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>The first capture group of the first line matching <paramref name="pattern"/>, once one appears.</summary>
    public async Task<Match> WaitForMatch(string pattern, TimeSpan? timeout = null, int skip = 0)
    {
        var regex = new Regex(pattern);
        Match? found = null;
        await Wait.Until(() => (found = _lines.Select(l => regex.Match(l)).Where(m => m.Success).Skip(skip).FirstOrDefault()) is not null,
            () => $"/{pattern}/ in the output of {Describe()}:\n{Tail()}", timeout ?? TimeSpan.FromSeconds(60));
        return found!;
    }

    /// <summary>Writes <paramref name="command"/> to stdin and returns the next line matching <paramref name="answer"/>.</summary>
    public async Task<Match> Ask(string command, string answer)
    {
        var seen = _lines.Count(l => Regex.IsMatch(l, answer));
        WriteLine(command);
        return await WaitForMatch(answer, skip: seen);
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Describe()} did not exit within {timeout}:\n{Tail()}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (15 SIGTERM, 2 SIGINT, 9 SIGKILL).</summary>
    public void Signal(int signal) => Assert.Equal(0, Native.Kill(_process.Id, signal));

    public string Tail(int lines = 60) => string.Join("\n", _lines.TakeLast(lines));

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

internal static class Native
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
