using System.Diagnostics;
using System.Text;

namespace EventEngine.Actors.TestSupport;

/// <summary>Runs a built program of this repository as a child process (never `dotnet run`), always cleaning it up.</summary>
public static class ProgramRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The built dll of <c>example/NAME</c>, in the configuration the tests were built with.</summary>
    public static string ExampleDll(string name) => BuiltDll("example", name);

    /// <summary>The built dll of project <c>FOLDER/NAME</c>, in the configuration the tests were built with.</summary>
    public static string BuiltDll(string folder, string name)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(RepoRoot, folder, name, "bin", configuration, "net10.0", $"{name}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        return dll;
    }

    public static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string dll, string arguments, TimeSpan timeout) =>
        RunProcessAsync("dotnet", $"\"{dll}\" {arguments}", timeout);

    /// <summary>Runs <paramref name="fileName"/> to its end (killed with its children after <paramref name="timeout"/>).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunProcessAsync(string fileName, string arguments, TimeSpan timeout,
        string? workingDirectory = null)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? "",
            },
        };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit(); // drains the output readers
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EventEngine.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (EventEngine.Actors.sln) above " + AppContext.BaseDirectory);
    }
}
