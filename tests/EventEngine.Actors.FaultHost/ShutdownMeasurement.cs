using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

/// <summary>
/// <c>measure-shutdown</c>: starts this program in <c>load</c> mode (an engine under full load with a Python plugin
/// process) as a child, waits until it is loaded, stops it one of four ways and measures the time from the stop
/// request to the child's exit, as a user or a process manager sees it. Also checks that the Python plugin did not
/// outlive the engine and that no engine thread was left running.
/// </summary>
internal static class ShutdownMeasurement
{
    private static readonly (string Name, bool Host, string How)[] Ways =
    [
        ("sigterm", false, "SIGTERM"),
        ("ctrl-c", false, "SIGINT"),
        ("host-stop", true, "stdin stop: IHostApplicationLifetime.StopApplication()"),
        ("host-sigterm", true, "SIGTERM to a Generic Host"),
    ];

    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine($"measure-shutdown: an engine under full load (unbounded load test + Python plugin reading in batches), {options.Rounds} round(s) per way, target < 2000 ms");
        var failed = false;
        var summary = new List<string>();
        foreach (var (name, host, how) in Ways)
        {
            var times = new List<double>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var r = await OneRound(name, host, options.Hocon);
                failed |= !r.Ok;
                times.Add(r.ExitMs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-13} round {round}: exit code {r.ExitCode} after {r.ExitMs:F0} ms (the engine's own stop: {r.StopMs} ms); python plugin {(r.PythonAlive ? "STILL RUNNING" : "gone")}; engine threads left {r.EngineThreadsLeft}{(r.Ok ? "" : "  <-- FAILED")}"));
            }
            times.Sort();
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"shutdown way={name} rounds={times.Count} median_ms={times[times.Count / 2]:F0} max_ms={times[^1]:F0} ({how})"));
        }
        foreach (var line in summary) Console.WriteLine(line);
        return failed ? 1 : 0;
    }

    private sealed record Round(int ExitCode, double ExitMs, string StopMs, bool PythonAlive, int EngineThreadsLeft, bool Ok);

    private static async Task<Round> OneRound(string way, bool host, List<string> hocon)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("EventEngine.Actors.FaultHost", StringComparison.Ordinal))
            info.ArgumentList.Add(typeof(ShutdownMeasurement).Assembly.Location); // run as `dotnet FaultHost.dll`
        info.ArgumentList.Add("load");
        if (host) info.ArgumentList.Add("--host");
        foreach (var h in hocon)
        {
            info.ArgumentList.Add("--hocon");
            info.ArgumentList.Add(h);
        }
        using var child = new Process { StartInfo = info };
        var lines = new ConcurrentQueue<string>();
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data == "loaded") loaded.TrySetResult();
        };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("stderr: " + e.Data); };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(500); // half a second more of full load
            var clock = Stopwatch.StartNew();
            switch (way)
            {
                case "sigterm" or "host-sigterm":
                    _ = Kill(child.Id, 15);
                    break;
                case "ctrl-c":
                    _ = Kill(child.Id, 2);
                    break;
                default:
                    await child.StandardInput.WriteLineAsync("stop");
                    await child.StandardInput.FlushAsync();
                    break;
            }
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var exitMs = clock.Elapsed.TotalMilliseconds;
            child.WaitForExit(); // drains the output
            var all = lines.ToList();
            var python = all.Select(l => Regex.Match(l, @"python pid=(\d+)")).FirstOrDefault(m => m.Success);
            var alive = python is not null && IsAlive(int.Parse(python.Groups[1].Value, CultureInfo.InvariantCulture));
            var exit = all.Select(l => Regex.Match(l, @"^exit code=(-?\d+) stop_ms=(-?\d+) engine_threads_left=(\d+)")).LastOrDefault(m => m.Success);
            var threadsLeft = exit is null ? -1 : int.Parse(exit.Groups[3].Value, CultureInfo.InvariantCulture);
            var ok = child.ExitCode == 0 && python is not null && !alive && threadsLeft == 0;
            if (!ok) Console.WriteLine(string.Join("\n", all.TakeLast(40)));
            return new Round(child.ExitCode, exitMs, exit?.Groups[2].Value ?? "?", alive, threadsLeft, ok);
        }
        catch (TimeoutException)
        {
            Console.WriteLine(string.Join("\n", lines.TakeLast(40)));
            return new Round(-1, double.NaN, "?", true, -1, false);
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
