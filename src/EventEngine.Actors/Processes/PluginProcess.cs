using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Gateway;

namespace EventEngine.Actors.Processes;

/// <summary>
/// Runs one external plugin's process: launches it with the engine's environment variables, logs its stdout
/// (Info) and stderr (Warning) under the plugin's name, restarts it with exponential backoff if it exits before
/// the plugin quit, and stops it when the engine stops (SIGTERM, then the whole tree is killed after
/// <c>stop-timeout</c>; a plugin that quit is given that long to exit by itself first). A process that dies
/// before it ever connected to its port <c>crash-loop-after</c> times in a row is in a crash loop: one ERROR
/// with its stderr's last lines, then <c>on-crash-loop</c> (stop: shut the engine down; keep-retrying).
/// </summary>
internal sealed class PluginProcess : ReceiveActor, IWithTimers
{
    // A plugin typically exits right after sending quit, and the exit may be seen before the quit has made its way
    // through the gateway: an exit is judged this long after it happened.
    private static readonly TimeSpan QuitGrace = TimeSpan.FromMilliseconds(500);
    private readonly string _name;
    private readonly ProcessStartInfo _startInfo;
    private readonly ProcessSettings _settings;
    private readonly ProcessLauncher _launcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ILoggingAdapter _output;
    private Process? _process;
    private int _generation;
    private int _failures;
    private int _startupFailures;
    private bool _connected;
    private bool _reportedCrashLoop;
    private DateTime _startedAt;
    private bool _quit;
    private bool _stopping;

    public PluginProcess(string name, ProcessStartInfo startInfo, ProcessSettings settings, ProcessLauncher launcher)
    {
        _name = name;
        _startInfo = startInfo;
        _settings = settings;
        _launcher = launcher;
        _output = Logging.GetLogger(Context.System, name);

        Receive<Launch>(_ => Start());
        Receive<Launched>(l =>
        {
            if (l.Generation == _generation) _log.Info("Plugin process {0} started (pid {1})", _name, l.Pid);
        });
        Receive<LaunchFailed>(f =>
        {
            if (f.Generation != _generation || _stopping) return;
            _process = null;
            if (!StartupFailed([$"could not be started: {f.Cause.Message}"]))
                ScheduleRestart($"could not be started ({f.Cause.Message})", error: true);
        });
        Receive<Exited>(e =>
        {
            if (e.Generation != _generation || _process is null) return;
            ChildProcesses.Remove(_process);
            _process = null;
            if (_quit || _stopping) OnExited(e);
            else Timers.StartSingleTimer("exit", new ExitJudged(e), QuitGrace);
        });
        Receive<ExitJudged>(j => OnExited(j.Exited));
        Receive<PluginQuit>(_ => _quit = true);
        Receive<PluginConnected>(_ =>
        {
            _connected = true;
            _startupFailures = 0;
            _reportedCrashLoop = false;
        });
        ReceiveAsync<StopProcess>(async _ =>
        {
            await StopAsync();
            Sender.Tell(Done.Instance);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The command line, for logs.</summary>
    public static string Describe(ProcessStartInfo info) =>
        string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

    protected override void PreStart() => Start();

    protected override void PostStop()
    {
        Timers.CancelAll();
        if (_process is { } process && !ChildProcesses.HasExited(process))
        {
            _log.Warning("Plugin process {0} (pid {1}) is still running as the engine stops; killing it", _name, process.Id);
            ChildProcesses.KillTree(process);
        }
    }

    private void Start()
    {
        if (_stopping || _quit) return;
        var generation = ++_generation;
        if (generation > 1) EventEngine.Of(Context.System).Metrics.ProcessRestarted(_name);
        var self = Self;
        var process = new Process { StartInfo = _startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) _output.Info("{0}", e.Data);
        };
        var stderr = new StderrTail();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _output.Warning("{0}", e.Data);
            stderr.Add(e.Data);
        };
        process.Exited += async (_, _) =>
        {
            await OutputReadToEnd(process).ConfigureAwait(false);
            self.Tell(new Exited(generation, ExitCodeOf(process), stderr.Lines()));
        };
        _process = process;
        _connected = false;
        _startedAt = DateTime.UtcNow;
        _log.Info("Starting plugin process {0}: {1}", _name, Describe(_startInfo));
        _launcher.Launch(process).ContinueWith(t => self.Tell(t.Exception is { } e
            ? new LaunchFailed(generation, e.InnerException ?? e)
            : new Launched(generation, process.Id)), TaskContinuationOptions.ExecuteSynchronously);
    }

    private void OnExited(Exited exited)
    {
        if (_quit || _stopping)
        {
            _log.Info("Plugin process {0} exited with code {1}", _name, exited.Code);
            return;
        }
        if (!StartupFailed(exited.Stderr)) ScheduleRestart($"exited with code {exited.Code} before the plugin quit", error: false);
    }

    /// <summary>Counts a death before the plugin connected; true when the engine is being shut down for it.</summary>
    private bool StartupFailed(IReadOnlyList<string> stderr)
    {
        if (_connected || ++_startupFailures < _settings.CrashLoopAfter || _reportedCrashLoop) return false;
        _reportedCrashLoop = true;
        var stop = _settings.OnCrashLoop == CrashLoopPolicy.Stop;
        _log.Error("{0}\n{1}", CrashLoop.Describe(_name, _startupFailures, stderr, _startInfo), stop
            ? "Not restarting it; shutting the engine down (event-engine.gateway.processes.on-crash-loop = stop)"
            : "Restarting it with backoff (event-engine.gateway.processes.on-crash-loop = keep-retrying)");
        if (!stop) return false;
        _stopping = true;
        CoordinatedShutdown.Get(Context.System).Run(new PluginCrashLoopReason(_name));
        return true;
    }

    private void ScheduleRestart(string what, bool error)
    {
        if (DateTime.UtcNow - _startedAt > _settings.BackoffMax) _failures = 0;
        var delay = TimeSpan.FromTicks(Math.Min(_settings.BackoffMax.Ticks, _settings.BackoffMin.Ticks << Math.Min(_failures, 20)));
        _failures++;
        if (error) _log.Error("Plugin process {0} {1}; trying again in {2}", _name, what, delay);
        else _log.Warning("Plugin process {0} {1}; restarting it in {2}", _name, what, delay);
        Timers.StartSingleTimer("restart", Launch.Instance, delay);
    }

    private async Task StopAsync()
    {
        _stopping = true;
        Timers.CancelAll();
        if (_process is not { } process || ChildProcesses.HasExited(process)) return;
        if (!_quit) ChildProcesses.Terminate(process);
        if (!await ExitsWithin(process, _settings.StopTimeout))
        {
            _log.Warning("Plugin process {0} (pid {1}) did not exit within {2}; killing it", _name, process.Id, _settings.StopTimeout);
            ChildProcesses.KillTree(process);
            await ExitsWithin(process, TimeSpan.FromSeconds(2));
        }
        ChildProcesses.Remove(process);
    }

    private static async Task<bool> ExitsWithin(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return ChildProcesses.HasExited(process);
        }
    }

    // Exited is raised before the output readers reach the end: wait (briefly; a grandchild may hold the pipes) for the last lines.
    private static async Task OutputReadToEnd(Process process)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            // the lines read so far will do
        }
    }

    private static int ExitCodeOf(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>Stop the process (answered with <see cref="Done"/> once it has exited or been killed).</summary>
    internal sealed class StopProcess
    {
        public static readonly StopProcess Instance = new();
    }

    private sealed class Launch
    {
        public static readonly Launch Instance = new();
    }

    private sealed record Launched(int Generation, int Pid);

    private sealed record LaunchFailed(int Generation, Exception Cause);

    private sealed record Exited(int Generation, int Code, IReadOnlyList<string> Stderr);

    private sealed record ExitJudged(Exited Exited);
}
