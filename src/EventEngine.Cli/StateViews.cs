using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EventEngine.Cli;

/// <summary>Spectre.Console renderings of a dashboard snapshot: the plugins and types tables and the text graph.</summary>
internal static class StateViews
{
    public static Table Plugins(JsonNode state)
    {
        var table = new Table().Title("plugins").AddColumns("name", "kind", "state", "restarts", "poison", "queue", "paused");
        foreach (var p in state["plugins"]!.AsArray())
        {
            var s = (string)p!["state"]!;
            var color = s is "stopped" or "disconnected" ? "red" : s is "running" or "connected" ? "green" : "grey";
            table.AddRow(Text(p["name"]), Text(p["kind"]), $"[{color}]{Markup.Escape(s)}[/]", Text(p["restarts"]), Text(p["poison"]),
                Text(p["queueDepth"]), (bool)p["paused"]! ? "[yellow]paused[/]" : "");
        }
        return table;
    }

    public static Table Types(JsonNode state)
    {
        var table = new Table().Title("event types").AddColumns("name", "filter", "codec", "publish/s", "deliver/s", "undecodable/s", "published", "delivered");
        foreach (var t in state["eventTypes"]!.AsArray())
            table.AddRow(Text(t!["name"]), Text(t["filter"]), Text(t["codec"]), Rate(t["publishRate"]), Rate(t["deliverRate"]), Rate(t["undecodableRate"]),
                Text(t["published"]), Text(t["delivered"]));
        return table;
    }

    /// <summary>rqt_graph in text: each publisher with the types it publishes, each type with its subscribers.</summary>
    public static IRenderable Graph(JsonNode state)
    {
        var edges = state["edges"]!.AsArray().Select(e => (From: (string)e!["from"]!, To: (string)e["to"]!, Kind: (string)e["kind"]!, Rate: (double)e["rate"]!, Total: (long)e["total"]!)).ToList();
        var tree = new Tree($"engine {Markup.Escape((string)state["engine"]!)} ({Markup.Escape((string)state["state"]!)})");
        foreach (var plugin in state["plugins"]!.AsArray().Select(p => (string)p!["name"]!))
        {
            var node = tree.AddNode($"[blue]{Markup.Escape(plugin)}[/]");
            foreach (var e in edges.Where(e => e.Kind == "publish" && e.From == plugin))
            {
                var type = node.AddNode($"publishes → [green]{Markup.Escape(e.To)}[/] {e.Rate.ToString("0.0", CultureInfo.InvariantCulture)}/s ({e.Total} so far)");
                foreach (var s in edges.Where(s => s.Kind == "subscribe" && s.From == e.To)) type.AddNode($"→ [blue]{Markup.Escape(s.To)}[/]");
            }
            foreach (var e in edges.Where(e => e.Kind == "subscribe" && e.To == plugin)) node.AddNode($"subscribes ← [green]{Markup.Escape(e.From)}[/]");
        }
        return tree;
    }

    private static string Text(JsonNode? node) => Markup.Escape(node?.ToString() ?? "");

    private static string Rate(JsonNode? node) => ((double)node!).ToString("0.0", CultureInfo.InvariantCulture);
}
