using System.Diagnostics;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>What every scenario of one run shares: its size, where Python and the repository are, the results.</summary>
public sealed class BenchContext
{
    public BenchContext(bool quick, string python, string? repoRoot, Results results)
    {
        Quick = quick;
        Python = python;
        RepoRoot = repoRoot;
        Results = results;
    }

    /// <summary>Every scenario small (seconds), in process where possible: the smoke test's mode.</summary>
    public bool Quick { get; }

    /// <summary>The Python interpreter external plugins run with (needs pyzmq).</summary>
    public string Python { get; }

    /// <summary>The repository (for pyevents/); null when the program runs outside it.</summary>
    public string? RepoRoot { get; }

    public Results Results { get; }

    /// <summary>
    /// The plugin transports the external and Python latency cases run on (<c>--plugin-transports</c>), alternating within
    /// each round; null is the engine's default (event-engine.gateway.plugin-transport), which names no case.
    /// </summary>
    public IReadOnlyList<string?> PluginTransports { get; init; } = [null];

    /// <summary>The tracing listener of the run (<c>--trace</c>: none, drop or all), which child processes set up too.</summary>
    public string Trace { get; init; } = "none";

    /// <summary>
    /// What tracing costs: no listener (<c>none</c>), a listener whose sampler drops every span (<c>drop</c>), or one that
    /// records every span (<c>all</c>), for the whole process.
    /// </summary>
    public static ActivityListener? TraceListener(string mode)
    {
        if (mode == "none") return null;
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventEngine.Actors.Diagnostics.EngineTracing.SourceName,
            Sample = mode == "all"
                ? (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded
                : (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>The HOCON that selects <paramref name="transport"/> (none for the default).</summary>
    public static string TransportConfig(string? transport) => transport is null ? "" : $"event-engine.gateway.plugin-transport = {transport}";

    /// <summary>A case's name on <paramref name="transport"/>: <c>recv-original[lean]</c>, or the bare name on the default.</summary>
    public static string OnTransport(string name, string? transport) => transport is null ? name : $"{name}[{transport}]";

    /// <summary>The bench program's own Python scripts (copied beside the dll).</summary>
    public static string ScriptPath(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    /// <summary>Finds the repository root (the directory holding EventEngine.Actors.sln) above <paramref name="start"/>.</summary>
    public static string? FindRepoRoot(params string[] starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "EventEngine.Actors.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Peak resident set size of this process (Linux VmHWM), in MiB.</summary>
    public static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
            // not Linux
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
