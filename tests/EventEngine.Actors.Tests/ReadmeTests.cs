using System.Text.RegularExpressions;
using Xunit;

namespace EventEngine.Actors.Tests;

public class ReadmeTests
{
    [Fact]
    public void The_quick_start_in_the_README_is_the_compiled_quick_start_program()
    {
        var readme = File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "README.md"));
        var block = Regex.Match(readme, @"## Quick start\n\n```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no C# block under '## Quick start'");
        var program = File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "example", "EventEngine.QuickStart", "Program.cs"));
        Assert.Equal(program.ReplaceLineEndings("\n"), block.Groups[1].Value.ReplaceLineEndings("\n"));
    }
}
