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
            if (!context.Quick && size == 1) await OnePlugin(context, timeout);
            if (!context.Quick && size == 10_000)
            {
                context.Results.Check("10,000 plugins start in < 3 s", engine.StartupMs < 3000, $"{engine.StartupMs:F0} ms (bare Akka {akka.StartupMs:F0} ms)");
                context.Results.Check("10,000 plugins peak RSS < 500 MB", engine.PeakRssMb < 500, $"{engine.PeakRssMb:F0} MB (bare Akka {akka.PeakRssMb:F0} MB)");
            }
        }
    }

    /// <summary>
    /// Issue 13's start-up target (one plugin ≤ 2x bare Akka), over 3 alternating rounds of fresh processes (medians), beside
    /// what it is made of: the engine with its wire off (no NetMQ), and bare Akka with <c>UntypedActor</c>s (no
    /// <c>ReceiveActor</c> handler compilation, which most of bare Akka's own figure is).
    /// </summary>
    private static async Task OnePlugin(BenchContext context, TimeSpan timeout)
    {
        var runs = ScaleChild.Modes.ToDictionary(mode => mode, _ => new List<double>());
        for (var round = 0; round < 3; round++)
            foreach (var mode in ScaleChild.Modes)
                runs[mode].Add((await Child(1, mode, timeout)).StartupMs);
        var median = runs.ToDictionary(r => r.Key, r => r.Value.Order().ElementAt(r.Value.Count / 2));
        Console.Error.WriteLine("bench: scale 1, start-up of 3 alternating rounds (ms): " +
                                string.Join("; ", runs.Select(r => $"{r.Key} {string.Join(", ", r.Value.Select(v => v.ToString("F1")))}")));
        double engine = median["engine"], akka = median["akka"];
        context.Results.Add(new Row("scale", "plugins=1 median of 3", "startup", "ms", engine, "akka", akka, false, 1, 1));
        context.Results.Add(new Row("scale", "plugins=1 median of 3", "startup", "ms", engine, "akka (UntypedActor)", median["akka-untyped"], false, 1, 1));
        context.Results.Add(new Row("scale", "plugins=1 median of 3, wire off", "startup", "ms", median["engine-wire-off"], "akka", akka, false, 1, 1));
        context.Results.Check("start-up with 1 plugin <= 2x bare Akka (median of 3 alternating rounds)", engine <= 2 * akka,
            $"{engine / akka:F2}x ({engine:F0} vs {akka:F0} ms; wire off {median["engine-wire-off"]:F0} ms, bare Akka with UntypedActor {median["akka-untyped"]:F0} ms)");
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
