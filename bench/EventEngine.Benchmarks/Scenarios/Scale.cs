using System.Text.Json;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>
/// d. scale: start-up time (until the start-up barrier passed) and peak RSS for 1, 100, 1,000 and 10,000 plugins in one
/// engine, against as many bare Akka actors behind a barrier of their own. Each size and mode runs in a child process
/// (this program re-launched with the hidden <c>scale-child</c> sub-command); <c>--quick</c> runs 1, 10, 100 in process.
/// </summary>
public static class Scale
{
    public static async Task RunAsync(BenchContext context)
    {
        var sizes = context.Quick ? new[] { 1, 10, 100 } : [1, 100, 1_000, 10_000];
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 180);
        if (context.Quick)
        {
            await ScaleChild.Engine(10, timeout); // warm-up, unmeasured
            await ScaleChild.Akka(10, timeout);
        }
        foreach (var size in sizes)
        {
            var engine = context.Quick ? await ScaleChild.Engine(size, timeout) : await Child(size, "engine", timeout);
            var akka = context.Quick ? await ScaleChild.Akka(size, timeout) : await Child(size, "akka", timeout);
            Console.Error.WriteLine($"bench: scale {size}: engine {engine}, akka {akka}");
            if (akka.Delivered != size) context.Results.Fail($"scale: bare Akka: {akka.Delivered} of {size} actors got the tick");
            var name = $"plugins={size}";
            context.Results.Add(new Row("scale", name, "startup", "ms", engine.StartupMs, "akka", akka.StartupMs, false, engine.Delivered, size));
            context.Results.Add(new Row("scale", name, context.Quick ? "peak-rss(in-process)" : "peak-rss", "MB", engine.PeakRssMb, "akka",
                akka.PeakRssMb, false, engine.Delivered, size));
            Add(context.Results.StartupCurves, "engine", size, engine.StartupMs);
            Add(context.Results.StartupCurves, "bare Akka", size, akka.StartupMs);
            Add(context.Results.RssCurves, "engine", size, engine.PeakRssMb);
            Add(context.Results.RssCurves, "bare Akka", size, akka.PeakRssMb);
            if (!context.Quick && size == 10_000)
            {
                context.Results.Check("10,000 plugins start in < 3 s", engine.StartupMs < 3000, $"{engine.StartupMs:F0} ms (bare Akka {akka.StartupMs:F0} ms)");
                context.Results.Check("10,000 plugins peak RSS < 500 MB", engine.PeakRssMb < 500, $"{engine.PeakRssMb:F0} MB (bare Akka {akka.PeakRssMb:F0} MB)");
            }
        }
    }

    private static void Add(Dictionary<string, List<(double, double)>> curves, string series, double x, double y)
    {
        if (!curves.TryGetValue(series, out var points)) curves[series] = points = new();
        points.Add((x, y));
    }

    /// <summary>Runs one size in a fresh process: this program again, with the hidden scale-child sub-command.</summary>
    private static async Task<ScaleOutcome> Child(int plugins, string mode, TimeSpan timeout)
    {
        using var child = ChildProgram.Start("scale-child", "--plugins", $"{plugins}", "--mode", mode);
        return JsonSerializer.Deserialize<ScaleOutcome>(await child.WaitForLine("scale-result ", timeout))!;
    }
}
