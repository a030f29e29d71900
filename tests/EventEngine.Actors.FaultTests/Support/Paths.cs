using System.Reflection;

namespace EventEngine.Actors.FaultTests.Support;

internal static class Paths
{
    public const string Python = "/usr/bin/python3";

    private static string Metadata(string key) => typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    public static string PyEvents => Path.Combine(RepoRoot, "pyevents");

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>The built fault host (tests/EventEngine.Actors.FaultHost), run as `dotnet FaultHost.dll MODE ...`.</summary>
    public static string FaultHostDll
    {
        get
        {
            var dll = Path.Combine(RepoRoot, "tests", "EventEngine.Actors.FaultHost", "bin", Configuration, "net10.0", "EventEngine.Actors.FaultHost.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        }
    }

    /// <summary>Writes a Python script into a fresh temporary file and returns its path (deleted by <see cref="TempFiles"/>).</summary>
    public static string Script(TempFiles files, string source)
    {
        var path = files.New(".py");
        File.WriteAllText(path, source);
        return path;
    }
}

/// <summary>Temporary files of one test, deleted on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly List<string> _paths = new();

    public string New(string extension = "")
    {
        var path = Path.Combine(Path.GetTempPath(), $"fault-test-{Guid.NewGuid():N}{extension}");
        _paths.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _paths)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }
}
