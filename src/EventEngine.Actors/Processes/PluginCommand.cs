using System.Diagnostics;
using EventEngine.Actors.Gateway;

namespace EventEngine.Actors.Processes;

/// <summary>Builds the start information of an external plugin's process: command line and environment.</summary>
internal static class PluginCommand
{
    /// <summary>Set for every plugin process: the engine's host, as the plugin should connect to it.</summary>
    public const string HostVariable = "EVENT_ENGINE_HOST";

    /// <summary>Set for every plugin process: its session's bound port.</summary>
    public const string PortVariable = "EVENT_ENGINE_PORT";

    /// <summary>Set for every plugin process: its registered name.</summary>
    public const string PluginVariable = "EVENT_ENGINE_PLUGIN";

    /// <summary>Set for every plugin process when CURVE is on: the engine's public key (Z85), which pyevents uses.</summary>
    public const string CurveServerKeyVariable = "EVENT_ENGINE_CURVE_SERVER_KEY";

    /// <summary>
    /// The start information of <paramref name="plugin"/>'s process. <paramref name="dieWithEngine"/> says whether
    /// the command is wrapped in <c>setpriv --pdeathsig KILL</c> (Linux, when setpriv exists).
    /// </summary>
    public static ProcessStartInfo Build(ExternalPlugin plugin, string bindAddress, int port, ProcessSettings settings, out bool dieWithEngine)
    {
        var argv = new List<string>();
        var interpreter = plugin.Interpreter ?? settings.Interpreter;
        if (!string.IsNullOrEmpty(interpreter)) argv.Add(interpreter);
        argv.AddRange(plugin.Command ?? []);
        if (argv.Count == 0) throw new EventEngineException($"external plugin '{plugin.Name}' has an empty command and no interpreter");
        dieWithEngine = settings.DieWithEngine && OperatingSystem.IsLinux() && File.Exists(settings.Setpriv);
        if (dieWithEngine) argv.InsertRange(0, [settings.Setpriv, "--pdeathsig", "KILL", "--"]);

        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = plugin.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in argv.Skip(1)) info.ArgumentList.Add(arg);
        info.Environment[HostVariable] = ConnectHost(bindAddress);
        info.Environment[PortVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment[PluginVariable] = plugin.Name;
        if (!info.Environment.ContainsKey("PYTHONUNBUFFERED")) info.Environment["PYTHONUNBUFFERED"] = "1";
        if (settings.PythonPath.Count > 0)
        {
            var paths = settings.PythonPath.Select(Path.GetFullPath).ToList();
            if (info.Environment.TryGetValue("PYTHONPATH", out var existing) && !string.IsNullOrEmpty(existing)) paths.Add(existing);
            info.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, paths);
        }
        foreach (var (key, value) in plugin.Environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return info;
    }

    // A plugin connects to the address the port is bound to; a wildcard bind is reachable on loopback.
    private static string ConnectHost(string bindAddress) => bindAddress switch
    {
        "*" or "0.0.0.0" => "127.0.0.1",
        "::" or "[::]" => "::1",
        _ => bindAddress,
    };
}
