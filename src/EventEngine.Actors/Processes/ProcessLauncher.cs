using System.Collections.Concurrent;
using System.Diagnostics;

namespace EventEngine.Actors.Processes;

/// <summary>
/// Starts plugin processes from one dedicated, long-lived thread. On Linux a child launched through
/// <c>setpriv --pdeathsig KILL</c> is killed when the thread that forked it ends (that is how the kernel's
/// parent-death signal works, per thread, not per process): a thread-pool thread could retire and take the
/// plugin with it, this thread lives exactly as long as the engine's gateway.
/// </summary>
internal sealed class ProcessLauncher : IDisposable
{
    private readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> _requests = new();
    private readonly Thread _thread;

    public ProcessLauncher(string threadName)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> (configured, handlers attached) and begins reading its output.</summary>
    public Task Launch(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _requests.Add((process, started));
        }
        catch (InvalidOperationException)
        {
            started.SetException(new ObjectDisposedException(nameof(ProcessLauncher), "the engine is shutting down"));
        }
        return started.Task;
    }

    private void Run()
    {
        foreach (var (process, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                ChildProcesses.Add(process);
                if (process.StartInfo.RedirectStandardInput) process.StandardInput.Close();
                if (process.StartInfo.RedirectStandardOutput) process.BeginOutputReadLine();
                if (process.StartInfo.RedirectStandardError) process.BeginErrorReadLine();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    /// <summary>Ends the thread; call after every process it started has been stopped.</summary>
    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _requests.Dispose();
    }
}
