using System.Reflection;
using System.Text.RegularExpressions;

namespace EventEngine.Actors.FaultTests;

/// <summary>docs/reliability.md is kept true by this suite: every test it names exists, and every fault test is named there.</summary>
public sealed class ReliabilityDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "reliability.md"));

    private static IEnumerable<string> FaultTests() => typeof(ReliabilityDocTests).Assembly.GetTypes()
        .Where(t => t.IsPublic && t != typeof(ReliabilityDocTests))
        .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => $"{m.DeclaringType!.Name}.{m.Name}"))
        .Distinct(); // a suite run on each plugin transport (an abstract class, a subclass per transport) is named once

    [Fact]
    public void The_fault_matrix_names_every_fault_test_and_only_tests_that_exist()
    {
        var named = Regex.Matches(Doc, @"`(\w+Tests)\.(\w+)`").Select(m => $"{m.Groups[1].Value}.{m.Groups[2].Value}").ToHashSet();
        var tests = FaultTests().ToHashSet();
        Assert.NotEmpty(tests);
        Assert.Empty(named.Except(tests).Except(["ReliabilityDocTests"]));
        Assert.Empty(tests.Except(named));
    }

    [Fact]
    public void The_shutdown_figure_is_filled_in_for_every_way_of_stopping()
    {
        foreach (var way in new[] { "sigterm", "ctrl-c", "host-stop", "host-sigterm" })
            Assert.Matches($@"\| `{way}` \| .* \| \d+ \| \d+ \|", Doc);
        Assert.DoesNotContain("SHUTDOWN_TABLE", Doc);
    }
}
