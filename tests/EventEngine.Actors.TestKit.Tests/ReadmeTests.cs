using System.Text.RegularExpressions;
using Xunit;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>The README's "Testing your plugins" example is Readme/GreeterTests.cs, compiled and run with this suite.</summary>
public class ReadmeTests
{
    [Fact]
    public void The_docs_show_the_example_test_file_verbatim()
    {
        var docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "testing.md"));
        var example = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "GreeterTests.cs"));

        var block = Regex.Match(docs, "```csharp\\n(?<code>.*?)```", RegexOptions.Singleline);

        Assert.True(block.Success, "docs/testing.md has no ```csharp block");
        Assert.Equal(Normalise(example), Normalise(block.Groups["code"].Value));
    }

    [Fact]
    public void The_example_test_is_under_30_lines_of_test()
    {
        var example = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Readme", "GreeterTests.cs"));
        var test = example.SkipWhile(l => !l.Contains("class GreeterTests")).Count(l => l.Trim().Length > 0);

        Assert.InRange(test, 1, 29);
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n").Trim();
}
