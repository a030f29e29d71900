using System.Globalization;
using System.Text;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// One measured figure: the engine's, beside a baseline measured in the same run, and their ratio
/// (engine / baseline). <see cref="Delivered"/> / <see cref="Expected"/> say whether the run delivered everything.
/// </summary>
public sealed record Row(
    string Scenario,
    string Case,
    string Metric,
    string Unit,
    double Engine,
    string BaselineName,
    double Baseline,
    bool HigherIsBetter,
    long Delivered,
    long Expected)
{
    public double Ratio => Baseline > 0 ? Engine / Baseline : double.NaN;

    public bool Complete => Delivered == Expected;

    /// <summary>The machine-readable line (the smoke test reads these).</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"result scenario={Scenario} case={Case} metric={Metric} unit={Unit} engine={Format(Engine)} baseline={BaselineName}:{Format(Baseline)} ratio={Ratio:F3} delivered={Delivered} expected={Expected}");

    public static string Format(double value) => double.IsNaN(value)
        ? "n/a"
        : value >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture) : value.ToString("G3", CultureInfo.InvariantCulture);
}

/// <summary>A target of issue 5, checked at the end of a full run (informational: the smoke test never asserts speed).</summary>
public sealed record Target(string Description, bool Met, string Figure);

/// <summary>Everything one run measured: rows, targets, the data behind the charts, and failures.</summary>
public sealed class Results
{
    private readonly List<Row> _rows = new();
    private readonly List<Target> _targets = new();
    private readonly List<string> _failures = new();

    public IReadOnlyList<Row> Rows => _rows;

    public IReadOnlyList<Target> Targets => _targets;

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Latency curves: series name -> (percentile, microseconds).</summary>
    public Dictionary<string, List<(double Percentile, double Micros)>> LatencyCurves { get; } = new();

    /// <summary>Scale curves: series name -> (plugins, value).</summary>
    public Dictionary<string, List<(double Plugins, double Value)>> StartupCurves { get; } = new();

    public Dictionary<string, List<(double Plugins, double Value)>> RssCurves { get; } = new();

    public void Add(Row row)
    {
        lock (_rows) _rows.Add(row);
        Console.WriteLine(row.ToLine());
        if (!row.Complete) Fail($"{row.Scenario} {row.Case}: delivered {row.Delivered} of {row.Expected}");
    }

    public void Check(string description, bool met, string figure)
    {
        _targets.Add(new Target(description, met, figure));
        Console.WriteLine($"target {(met ? "met" : "MISSED")}: {description}: {figure}");
    }

    public void Fail(string failure)
    {
        _failures.Add(failure);
        Console.Error.WriteLine($"bench: FAILED: {failure}");
    }

    /// <summary>The figures as a human-readable table (also valid Markdown).</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | case | metric | engine | baseline | ratio | delivered |");
        text.AppendLine("| --- | --- | --- | ---: | --- | ---: | --- |");
        foreach (var r in _rows)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Case} | {r.Metric} ({r.Unit}, {(r.HigherIsBetter ? "higher" : "lower")} is better) | {Group(r.Engine)} | {r.BaselineName}: {Group(r.Baseline)} | {r.Ratio:F2}x | {(r.Complete ? "all" : $"{r.Delivered}/{r.Expected}")} |"));
        if (_targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| target | met | figure |");
            text.AppendLine("| --- | --- | --- |");
            foreach (var t in _targets) text.AppendLine($"| {t.Description} | {(t.Met ? "yes" : "**no**")} | {t.Figure} |");
        }
        return text.ToString();
    }

    private static string Group(double value) => double.IsNaN(value)
        ? "n/a"
        : value >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : Row.Format(value);
}
