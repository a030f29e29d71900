using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventEngine.Actors.Processes;

/// <summary>
/// Every plugin process this engine process started and that may still run, so none outlives it: they are
/// stopped by their actors at shutdown, killed (whole tree) when the CLR exits, and on Linux they die with
/// the engine even when it is killed (<c>setpriv --pdeathsig KILL</c>, see <see cref="ProcessLauncher"/>).
/// </summary>
internal static class ChildProcesses
{
    private const int SigTerm = 15;
    private static readonly ConcurrentDictionary<Process, bool> Running = new();

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys) KillTree(process);
    };

    public static void Add(Process process) => Running[process] = true;

    public static void Remove(Process process) => Running.TryRemove(process, out _);

    public static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true; // never started
        }
    }

    /// <summary>Asks the process to end (SIGTERM on Unix; Windows has no such request, so the tree is killed).</summary>
    public static void Terminate(Process process)
    {
        if (HasExited(process)) return;
        if (OperatingSystem.IsWindows())
        {
            KillTree(process);
            return;
        }
        _ = SysKill(process.Id, SigTerm);
    }

    /// <summary>Kills the process and all its descendants; never throws.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // already gone
        }
        Remove(process);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
