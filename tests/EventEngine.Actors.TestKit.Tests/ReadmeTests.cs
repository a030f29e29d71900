using System.Text.RegularExpressions;
using Xunit;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>
/// The README's "Testing your plugins" example is Readme/GreeterTests.cs, compiled and run with this suite: the
/// README and docs/testing.md must show it verbatim, so they cannot rot.
/// </summary>
public class ReadmeTests
{
    private static string Example => Normalise(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "GreeterTests.cs")));

    [Fact]
    public void The_README_section_shows_the_example_test_file_verbatim()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "README.md"));
        var section = readme.IndexOf("## Testing your plugins", StringComparison.Ordinal);

        Assert.True(section >= 0, "README.md has no \"Testing your plugins\" section");
        Assert.Equal(Example, FirstCodeBlock(readme[section..]));
    }

    [Fact]
    public void The_testing_guide_shows_the_example_test_file_verbatim()
    {
        var guide = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "testing.md"));

        Assert.Equal(Example, FirstCodeBlock(guide));
    }

    [Fact]
    public void The_example_test_is_under_30_lines()
    {
        var lines = Example.Split('\n');
        var test = lines.SkipWhile(l => !l.Contains("class GreeterTests")).Count(l => l.Trim().Length > 0);

        Assert.InRange(test, 1, 29);
    }

    private static string FirstCodeBlock(string markdown)
    {
        var block = Regex.Match(markdown, "```csharp\\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "no ```csharp block");
        return Normalise(block.Groups["code"].Value);
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n").Trim();
}
