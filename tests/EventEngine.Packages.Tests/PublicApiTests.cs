using System.Reflection;
using PublicApiGenerator;
using Xunit;

namespace EventEngine.Packages.Tests;

/// <summary>
/// The public API of each library, approved in PublicApi/NAME.approved.txt: a change fails here until the file is
/// updated on purpose (run the tests with EVENTENGINE_APPROVE_API=1 and commit the file with the change).
/// </summary>
public class PublicApiTests
{
    private const string ApproveVariable = "EVENTENGINE_APPROVE_API";

    public static TheoryData<string> Libraries => new()
    {
        typeof(Actors.EventEngine).Assembly.GetName().Name!,
        typeof(Actors.Hosting.AkkaConfigurationBuilderExtensions).Assembly.GetName().Name!,
        typeof(Actors.TestKit.EventEngineTestKit).Assembly.GetName().Name!,
        typeof(Actors.Dashboard.EventEngineDashboard).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_public_API_is_the_approved_one(string library)
    {
        var api = Assembly.Load(library).GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var file = Path.Combine(ProgramRunner.RepoRoot, "tests", "EventEngine.Packages.Tests", "PublicApi", $"{library}.approved.txt");
        var approved = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        if (api == approved) return;
        if (Environment.GetEnvironmentVariable(ApproveVariable) == "1")
        {
            File.WriteAllText(file, api);
            return;
        }
        Assert.Fail($"The public API of {library} differs from {Path.GetRelativePath(ProgramRunner.RepoRoot, file)}:\n{Diff(approved, api)}\n" +
                    $"If the change is deliberate, run the tests with {ApproveVariable}=1 (it rewrites the file) and commit the file.");
    }

    /// <summary>The lines only in the approved API (-) and only in the current one (+), in order, with their line numbers.</summary>
    private static string Diff(string approved, string current)
    {
        var before = approved.Split('\n');
        var after = current.Split('\n');
        var removed = before.Select((line, i) => (line, i)).Where(l => !after.Contains(l.line)).Select(l => $"-{l.i + 1,5}: {l.line}");
        var added = after.Select((line, i) => (line, i)).Where(l => !before.Contains(l.line)).Select(l => $"+{l.i + 1,5}: {l.line}");
        var lines = removed.Concat(added).ToList();
        return string.Join("\n", lines.Take(60)) + (lines.Count > 60 ? $"\n... and {lines.Count - 60} more line(s)" : "");
    }
}
