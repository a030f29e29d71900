using System.Globalization;
using System.Text;

namespace EventEngine.Benchmarks.Infrastructure;

/// <summary>
/// The scale and latency curves as plain SVG (no native libraries, no fonts to install): written by the bench
/// program itself, committed beside docs/benchmarks.md.
/// </summary>
public static class Charts
{
    public const string ScaleFile = "benchmarks-scale.svg";
    public const string LatencyFile = "benchmarks-latency.svg";

    public static void Write(Results results, string directory)
    {
        Directory.CreateDirectory(directory);
        if (results.StartupCurves.Count > 0)
        {
            var startup = new Panel("Start-up time (until the start-up barrier passed)", "plugins", "ms", LogX: true, LogY: true,
                results.StartupCurves, PluginTicks(results.StartupCurves)) { Targets = [(3000, "target: 10,000 plugins < 3 s")] };
            var rss = new Panel("Peak RSS (one process per size)", "plugins", "MB", LogX: true, LogY: false,
                results.RssCurves, PluginTicks(results.RssCurves)) { Targets = [(500, "target: 10,000 plugins < 500 MB")] };
            Save(Path.Combine(directory, ScaleFile), "EventEngine.Actors scale: N plugins in one engine vs N bare Akka actors", [startup, rss]);
        }
        if (results.LatencyCurves.Count > 0)
        {
            var internalCurves = Nines(results.LatencyCurves.Where(c => c.Key.Contains("internal")));
            var pythonCurves = Nines(results.LatencyCurves.Where(c => c.Key.Contains("python")));
            var ticks = Pacing.CurvePercentiles.Select(p => (NinesOf(p), $"p{p.ToString(CultureInfo.InvariantCulture)}")).ToList();
            var panels = new List<Panel>();
            if (internalCurves.Count > 0)
                panels.Add(new Panel("internal -> internal plugin", "percentile", "us", LogX: false, LogY: true, internalCurves, ticks)
                    { Targets = [(1000, "target: p99 < 1 ms at 10k/s")] });
            if (pythonCurves.Count > 0)
                panels.Add(new Panel("internal -> Python plugin (fast mode)", "percentile", "us", LogX: false, LogY: true, pythonCurves, ticks)
                    { Targets = [(5000, "target: p99 < 5 ms at 10k/s")] });
            Save(Path.Combine(directory, LatencyFile), "EventEngine.Actors publish-to-handler latency at fixed offered loads", panels);
        }
    }

    private static double NinesOf(double percentile) => -Math.Log10(1 - percentile / 100);

    private static Dictionary<string, List<(double, double)>> Nines(IEnumerable<KeyValuePair<string, List<(double Percentile, double Micros)>>> curves) =>
        curves.ToDictionary(c => c.Key, c => c.Value.Select(p => (NinesOf(p.Percentile), p.Micros)).ToList());

    private static List<(double, string)> PluginTicks(Dictionary<string, List<(double Plugins, double Value)>> curves) =>
        curves.Values.SelectMany(c => c.Select(p => p.Plugins)).Distinct().Order()
            .Select(x => (x, x.ToString("N0", CultureInfo.InvariantCulture))).ToList();

    private sealed record Panel(string Title, string XLabel, string YLabel, bool LogX, bool LogY,
        Dictionary<string, List<(double X, double Y)>> Series, List<(double Value, string Label)> XTicks)
    {
        /// <summary>Horizontal reference lines (the targets).</summary>
        public List<(double Value, string Label)> Targets { get; init; } = new();
    }

    private const int PanelWidth = 520;
    private const int PanelHeight = 360;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    private static void Save(string path, string title, IReadOnlyList<Panel> panels)
    {
        var width = PanelWidth * panels.Count;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{PanelHeight + 40}" viewBox="0 0 {width} {PanelHeight + 40}" font-family="sans-serif" font-size="12">"""));
        svg.AppendLine(Invariant($"""<rect width="{width}" height="{PanelHeight + 40}" fill="white"/>"""));
        svg.AppendLine(Invariant($"""<text x="{width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{Escape(title)}</text>"""));
        for (var i = 0; i < panels.Count; i++) Draw(svg, panels[i], i * PanelWidth, 40);
        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
        Console.Error.WriteLine($"bench: wrote {path}");
    }

    private static void Draw(StringBuilder svg, Panel panel, double left, double top)
    {
        const double marginLeft = 70, marginRight = 35, marginTop = 30, marginBottom = 120;
        var plotWidth = PanelWidth - marginLeft - marginRight;
        var plotHeight = PanelHeight - marginTop - marginBottom;
        var points = panel.Series.Values.SelectMany(s => s).Where(p => double.IsFinite(p.Y) && (!panel.LogY || p.Y > 0)).ToList();
        if (points.Count == 0) return;
        var xs = points.Select(p => Tx(p.X, panel.LogX)).Concat(panel.XTicks.Select(t => Tx(t.Value, panel.LogX))).ToList();
        double xMin = xs.Min(), xMax = xs.Max();
        if (xMax - xMin < 1e-9) { xMin -= 1; xMax += 1; }
        var (yTicks, yMin, yMax) = YAxis(points.Select(p => p.Y).Concat(panel.Targets.Select(t => t.Value)).ToList(), panel.LogY);
        double X(double x) => left + marginLeft + (Tx(x, panel.LogX) - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => top + marginTop + plotHeight - (Tx(y, panel.LogY) - yMin) / (yMax - yMin) * plotHeight;

        svg.AppendLine(Invariant($"""<text x="{left + PanelWidth / 2.0}" y="{top + 16}" text-anchor="middle" font-size="13">{Escape(panel.Title)}</text>"""));
        svg.AppendLine(Invariant($"""<rect x="{left + marginLeft}" y="{top + marginTop}" width="{plotWidth}" height="{plotHeight}" fill="none" stroke="#888"/>"""));
        foreach (var (value, label) in yTicks)
        {
            var y = Y(value);
            svg.AppendLine(Invariant($"""<line x1="{left + marginLeft}" x2="{left + marginLeft + plotWidth}" y1="{y:F1}" y2="{y:F1}" stroke="#e5e5e5"/>"""));
            svg.AppendLine(Invariant($"""<text x="{left + marginLeft - 6}" y="{y + 4:F1}" text-anchor="end">{Escape(label)}</text>"""));
        }
        foreach (var (value, label) in panel.XTicks)
        {
            var x = X(value);
            svg.AppendLine(Invariant($"""<line x1="{x:F1}" x2="{x:F1}" y1="{top + marginTop}" y2="{top + marginTop + plotHeight}" stroke="#e5e5e5"/>"""));
            svg.AppendLine(Invariant($"""<text x="{x:F1}" y="{top + marginTop + plotHeight + 16}" text-anchor="middle">{Escape(label)}</text>"""));
        }
        svg.AppendLine(Invariant($"""<text x="{left + marginLeft + plotWidth / 2}" y="{top + marginTop + plotHeight + 34}" text-anchor="middle">{Escape(panel.XLabel)}{(panel.LogX ? " (log scale)" : "")}</text>"""));
        svg.AppendLine(Invariant($"""<text transform="translate({left + 16},{top + marginTop + plotHeight / 2}) rotate(-90)" text-anchor="middle">{Escape(panel.YLabel)}{(panel.LogY ? " (log scale)" : "")}</text>"""));

        foreach (var (value, label) in panel.Targets)
        {
            var y = Y(value);
            svg.AppendLine(Invariant($"""<line x1="{left + marginLeft}" x2="{left + marginLeft + plotWidth}" y1="{y:F1}" y2="{y:F1}" stroke="#555" stroke-dasharray="2 3"/>"""));
            svg.AppendLine(Invariant($"""<text x="{left + marginLeft + plotWidth - 4}" y="{y - 4:F1}" text-anchor="end" fill="#555" font-size="11">{Escape(label)}</text>"""));
        }

        var index = 0;
        var colors = new List<string>();
        var legendY = top + marginTop + plotHeight + 52;
        foreach (var (name, series) in panel.Series)
        {
            // an engine curve and its baseline (same case, the name after the first word) share a colour
            var key = name.Contains('@') ? name[name.LastIndexOf(' ')..] : name;
            if (!colors.Contains(key)) colors.Add(key);
            var color = Palette[colors.IndexOf(key) % Palette.Length];
            var dash = IsBaseline(name) ? " stroke-dasharray=\"6 4\"" : "";
            var valid = series.Where(p => double.IsFinite(p.Y) && (!panel.LogY || p.Y > 0)).OrderBy(p => p.X).ToList();
            var path = string.Join(" ", valid.Select(p => Invariant($"{X(p.X):F1},{Y(p.Y):F1}")));
            svg.AppendLine(Invariant($"""<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"""));
            foreach (var p in valid) svg.AppendLine(Invariant($"""<circle cx="{X(p.X):F1}" cy="{Y(p.Y):F1}" r="3" fill="{color}"><title>{Escape(name)}: {p.Y:G4} {Escape(panel.YLabel)}</title></circle>"""));
            var column = index % 2;
            var row = index / 2;
            var lx = left + marginLeft + column * (plotWidth / 2);
            var ly = legendY + row * 16;
            svg.AppendLine(Invariant($"""<line x1="{lx}" x2="{lx + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" stroke-width="2"{dash}/>"""));
            svg.AppendLine(Invariant($"""<text x="{lx + 30}" y="{ly}">{Escape(name)}</text>"""));
            index++;
        }
    }

    private static bool IsBaseline(string series) =>
        series.StartsWith("bare", StringComparison.Ordinal) || series.StartsWith("pyzmq", StringComparison.Ordinal);

    private static double Tx(double value, bool log) => log ? Math.Log10(Math.Max(value, 1e-9)) : value;

    /// <summary>Ticks and the transformed range of the y axis: 1-2-5 steps (log) or about 6 round steps (linear).</summary>
    private static (List<(double Value, string Label)> Ticks, double Min, double Max) YAxis(List<double> values, bool log)
    {
        var ticks = new List<(double, string)>();
        if (log)
        {
            var low = Math.Floor(Math.Log10(values.Min()));
            var high = Math.Ceiling(Math.Log10(values.Max()));
            if (high <= low) high = low + 1;
            for (var decade = low; decade <= high; decade++)
                foreach (var step in new[] { 1, 2, 5 })
                {
                    var value = step * Math.Pow(10, decade);
                    if (Math.Log10(value) <= high + 1e-9) ticks.Add((value, Label(value)));
                }
            return (ticks, low, high);
        }
        var max = values.Max() * 1.1;
        var raw = max / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var stepSize = new[] { 1, 2, 5, 10 }.Select(s => s * magnitude).First(s => s >= raw);
        for (var value = 0.0; value <= max + stepSize / 2; value += stepSize) ticks.Add((value, Label(value)));
        return (ticks, 0, ticks[^1].Item1);
    }

    private static string Label(double value) => value >= 1000
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
