using System.Diagnostics;
using Akka.Actor;

namespace EventEngine.Actors.Processes;

/// <summary>The last lines a plugin process wrote to stderr (written by the output reader thread, read by its actor).</summary>
internal sealed class StderrTail
{
    private const int Capacity = 12;
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == Capacity) _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_lines) return [.. _lines];
    }
}

/// <summary>The ERROR of a plugin process that keeps dying during its start-up: what it said, and what usually causes it.</summary>
internal static class CrashLoop
{
    public static string Describe(string plugin, int failures, IReadOnlyList<string> stderr, ProcessStartInfo startInfo)
    {
        var tail = stderr.Count == 0 ? " (it wrote nothing to stderr)" : ". The last lines of its stderr:\n    " + string.Join("\n    ", stderr);
        return $"Plugin process {plugin} died during its start-up {failures} time(s) in a row, before it ever connected to its port{tail}\n" +
            $"Hint: {Hint(stderr, startInfo)}\n" +
            $"Its command: {PluginProcess.Describe(startInfo)}";
    }

    private static string Hint(IReadOnlyList<string> stderr, ProcessStartInfo startInfo)
    {
        var text = string.Join('\n', stderr);
        if (text.Contains("ModuleNotFoundError", StringComparison.Ordinal) || text.Contains("No module named", StringComparison.Ordinal))
            return "a module it imports is not on its PYTHONPATH (now: " +
                (startInfo.Environment.TryGetValue("PYTHONPATH", out var path) && !string.IsNullOrEmpty(path) ? path : "empty") +
                "; event-engine.gateway.processes.python-path adds folders). A plugin written for the original event-engine " +
                "(`from events import ...`) needs pyevents and pyevents/compat on it; a missing zmq or msgpack needs the " +
                "interpreter that has them (event-engine.gateway.processes.interpreter).";
        if (text.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) || text.Contains("ECONNREFUSED", StringComparison.Ordinal))
            return $"it connects where the engine is not listening; it should connect to the host and port the engine gives it " +
                $"(EVENT_ENGINE_HOST={Variable(startInfo, PluginCommand.HostVariable)}, EVENT_ENGINE_PORT={Variable(startInfo, PluginCommand.PortVariable)}).";
        return "run its command by hand, with the same EVENT_ENGINE_HOST, EVENT_ENGINE_PORT and PYTHONPATH, to see why it ends.";
    }

    private static string Variable(ProcessStartInfo info, string name) => info.Environment.TryGetValue(name, out var value) ? value ?? "" : "";
}

/// <summary>CoordinatedShutdown reason: a launched plugin process kept dying during its start-up (<c>on-crash-loop = stop</c>).</summary>
public sealed class PluginCrashLoopReason : CoordinatedShutdown.Reason
{
    internal PluginCrashLoopReason(string plugin) => Plugin = plugin;

    /// <summary>The plugin whose process kept dying.</summary>
    public string Plugin { get; }

    /// <inheritdoc />
    public override int ExitCode => 1;

    /// <inheritdoc />
    public override string ToString() => $"plugin {Plugin}'s process kept dying during its start-up";
}
