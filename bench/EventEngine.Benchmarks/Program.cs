using System.CommandLine;
using System.Diagnostics;
using EventEngine.Benchmarks.Infrastructure;
using EventEngine.Benchmarks.Scenarios;
using NetMQ;

// EventEngine.Actors benchmarks (issue 5): every scenario prints the engine's figure beside a baseline measured in the
// same run, and their ratio. Machine-readable lines start with "result " (and "target " for the issue's targets);
// progress goes to stderr. docs/benchmarks.md describes the scenarios and holds the latest figures.
var all = new[] { "pipeline", "latency", "fanout", "scale", "external", "codecs", "cluster" };
var optIn = new[] { ClusterSingleton.Name, Idle.Name }; // not in the default run: chosen by name only
var quick = new Option<bool>("--quick") { Description = "Every scenario small (seconds), in process where possible: the smoke test's mode" };
var scenarios = new Option<string[]>("--scenarios")
{
    Description = "Scenarios to run, by name or letter: a|pipeline b|latency c|fanout d|scale e|external f|codecs g|cluster (default: all); by name only: cluster-singleton, idle",
    AllowMultipleArgumentsPerToken = true,
};
var messages = new Option<long?>("--messages") { Description = "Events of the pipeline and cluster scenarios (default 1,000,000; --quick 20,000)" };
var clusterConfig = new Option<string>("--cluster-config")
{
    Description = "HOCON over both engine nodes of the cluster scenario, e.g. \"event-engine.cluster.link.max-batch-count = 1024\" (tuning experiments)",
    DefaultValueFactory = _ => "",
};
var charts = new Option<string?>("--charts") { Description = "Directory to write the SVG charts (scale and latency curves) to" };
var markdown = new Option<string?>("--markdown") { Description = "File to write the figures to as a Markdown table" };
var python = new Option<string>("--python") { Description = "Python interpreter with pyzmq for the external plugin scenarios", DefaultValueFactory = _ => "/usr/bin/python3" };
var trace = new Option<string>("--trace")
{
    Description = "A tracing listener for the whole run: none (nobody listens), drop (a sampler that drops every span), all (records every span)",
    DefaultValueFactory = _ => "none",
};
trace.AcceptOnlyFromAmong("none", "drop", "all");
var transports = new Option<string[]>("--plugin-transports")
{
    Description = "Plugin transports the external and Python latency cases run on, alternating in each round: netmq, lean (default: the engine's default, unnamed)",
    AllowMultipleArgumentsPerToken = true,
};
var root = new RootCommand("EventEngine.Actors benchmarks: engine figure, baseline figure (same run) and ratio for each scenario")
{
    quick, scenarios, messages, clusterConfig, charts, markdown, python, trace, transports,
};
root.Subcommands.Add(ScaleChild.Command());
root.Subcommands.Add(Pipeline.ChildCommand());
root.Subcommands.Add(ClusterChild.Command());
root.Subcommands.Add(ClusterSingleton.NodeCommand());
root.Subcommands.Add(Idle.ChildCommand());

root.SetAction(async (parse, _) =>
{
    var chosen = Select(parse.GetValue(scenarios));
    if (chosen is null) return 2;
    using var tracing = BenchContext.TraceListener(parse.GetValue(trace)!);
    var results = new Results();
    var context = new BenchContext(parse.GetValue(quick), parse.GetValue(python)!,
        BenchContext.FindRepoRoot(AppContext.BaseDirectory, Environment.CurrentDirectory), results)
    {
        PluginTransports = Transports(parse.GetValue(transports)),
        Trace = parse.GetValue(trace)!,
    };
    if (context.PluginTransports.Count == 0) return 2;
    var loadAtStart = LoadAverage();
    Console.WriteLine($"bench: {(context.Quick ? "quick" : "full")} run of {string.Join(", ", chosen)} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, tracing listener {parse.GetValue(trace)}, load average {loadAtStart}");
    var ran = new List<string>();
    foreach (var scenario in chosen)
    {
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine($"bench: {scenario}...");
        try
        {
            await (scenario switch
            {
                "pipeline" => Pipeline.RunAsync(context, parse.GetValue(messages)),
                "latency" => Latency.RunAsync(context),
                "fanout" => FanOut.RunAsync(context),
                "scale" => Scale.RunAsync(context),
                "external" => External.RunAsync(context),
                "codecs" => Task.Run(() => Codecs.Run(context)),
                "cluster" => Cluster.RunAsync(context, parse.GetValue(messages), parse.GetValue(clusterConfig)!),
                ClusterSingleton.Name => ClusterSingleton.RunAsync(context),
                Idle.Name => Idle.RunAsync(context),
                _ => throw new InvalidOperationException(scenario),
            });
            ran.Add(scenario);
        }
        catch (Exception e)
        {
            results.Fail($"{scenario} threw: {e}");
        }
        Console.Error.WriteLine($"bench: {scenario} took {clock.Elapsed.TotalSeconds:F1} s");
    }
    if (parse.GetValue(charts) is { } dir) Charts.Write(results, dir);
    // The file is what docs/benchmarks.md's "Latest figures" holds: when, where, at which commit, how busy, and how.
    if (parse.GetValue(markdown) is { } file)
        await File.WriteAllTextAsync(file, $"""
            Measured on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC at commit `{GitCommit(context.RepoRoot)}` on {Environment.ProcessorCount} cores ({Environment.MachineName}), .NET {Environment.Version}, load average {loadAtStart} at the start and {LoadAverage()} at the end, with:

            ```bash
            dotnet bench/EventEngine.Benchmarks/bin/Release/net10.0/EventEngine.Benchmarks.dll {string.Join(" ", args)}
            ```

            {results.ToMarkdown()}
            """);
    Console.WriteLine($"bench: load average at the end {LoadAverage()} (figures of a run on a busy machine are not comparable)");
    Console.WriteLine();
    Console.WriteLine(results.ToMarkdown());
    Console.WriteLine($"scenarios ran={string.Join(",", ran)} failures={results.Failures.Count}");
    NetMQConfig.Cleanup(block: false);
    return results.Failures.Count == 0 && ran.Count == chosen.Count ? 0 : 1;
});
return await root.Parse(args).InvokeAsync();

static string LoadAverage()
{
    try
    {
        return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string GitCommit(string? repo)
{
    if (repo is null) return "unknown";
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", repo, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true })!;
        var commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? commit : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown (no git)";
    }
}

List<string>? Select(string[]? names)
{
    if (names is null || names.Length == 0) return [.. all];
    var chosen = new List<string>();
    foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
    {
        var scenario = name.Length == 1 && name[0] >= 'a' && name[0] < 'a' + all.Length ? all[name[0] - 'a'] : name.ToLowerInvariant();
        if (!all.Contains(scenario) && !optIn.Contains(scenario))
        {
            Console.Error.WriteLine($"bench: unknown scenario '{name}'; choose from {string.Join(", ", all.Concat(optIn))} (or a..{(char)('a' + all.Length - 1)})");
            return null;
        }
        if (!chosen.Contains(scenario)) chosen.Add(scenario);
    }
    return chosen;
}

// --plugin-transports netmq,lean: the transports by name (checked); none given: the engine's default.
static IReadOnlyList<string?> Transports(string[]? names)
{
    if (names is null || names.Length == 0) return [null];
    var chosen = names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
    if (chosen.All(n => n is "netmq" or "lean")) return chosen;
    Console.Error.WriteLine($"bench: unknown plugin transport in '{string.Join(",", names)}'; choose from netmq, lean");
    return [];
}
