namespace EventEngine.Samples.Example;

/// <summary>Where this repository's Python parts are, for the example programs: found from the program's location or the working directory.</summary>
/// <param name="Root">The repository's folder.</param>
public sealed record RepoLayout(string Root)
{
    /// <summary>The example's Python plugin, <c>example/pyplugin/plugin.py</c>.</summary>
    public string PluginScript => Path.Combine(Root, "example", "pyplugin", "plugin.py");

    /// <summary>The pyevents package's folder (for PYTHONPATH).</summary>
    public string PyEvents => Path.Combine(Root, "pyevents");

    /// <summary>pyevents' compatibility folder, for plugins written for the original (<c>from events import ...</c>).</summary>
    public string Compat => Path.Combine(Root, "pyevents", "compat");

    /// <summary>The HOCON that puts pyevents (and its compatibility folder) on the PYTHONPATH of the plugin processes the engine launches.</summary>
    public string PythonPathHocon => $"event-engine.gateway.processes.python-path = [{Quote(PyEvents)}, {Quote(Compat)}]";

    /// <summary>The repository above the program or the working directory, or null when run outside it.</summary>
    public static RepoLayout? Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "example", "pyplugin", "plugin.py"))) return new RepoLayout(dir.FullName);
            }
        }
        return null;
    }

    /// <summary>A HOCON string literal of <paramref name="text"/>.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
