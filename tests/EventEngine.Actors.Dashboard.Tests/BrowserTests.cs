using Microsoft.Playwright;

namespace EventEngine.Actors.Dashboard.Tests;

/// <summary>The dashboard page in a real browser (Debian's chromium driven by Playwright) against the example engine in a real process.</summary>
public sealed class BrowserTests
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    /// <summary>Where the README's screenshot comes from (copied to docs/images/dashboard.png).</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "dashboard.png");

    [Fact]
    public async Task The_page_shows_the_example_graph_and_a_live_rate_on_an_edge()
    {
        using var engine = await ExampleEngine.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });
        await page.GotoAsync(engine.Dashboard + "/");

        var graph = page.Locator("#graph");
        foreach (var plugin in new[] { "MsgProducer", "Counter", "PyPlugin" })
            await Assertions.Expect(graph.Locator($"g.node.plugin[data-name='{plugin}']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        foreach (var type in new[] { "TypeA", "TypeB", "TypeC" })
            await Assertions.Expect(graph.Locator($"g.node.type[data-name='{type}']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // the example's own traffic as publish edges (totals: it flowed before the page opened)
        foreach (var (from, to) in new[] { ("MsgProducer", "TypeA"), ("Counter", "TypeB"), ("PyPlugin", "TypeC") })
            await Assertions.Expect(graph.Locator($"g.edge.publish[data-from='{from}'][data-to='{to}']")).ToHaveCountAsync(1);

        using var stop = new CancellationTokenSource();
        var publishing = engine.PublishTypeAUntil(stop.Token);
        var live = graph.Locator("g.edge.active[data-from='wire'][data-to='TypeA']");
        await Assertions.Expect(live).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.True(double.Parse(await live.GetAttributeAsync("data-rate") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await page.ScreenshotAsync(new() { Path = ScreenshotPath, FullPage = true });
        stop.Cancel();
        await publishing;
    }
}
