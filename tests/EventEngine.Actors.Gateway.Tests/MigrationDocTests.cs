using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>docs/migrating.md is kept true: its code is compiled code, its HOCON and commands exist, its tests exist.</summary>
public sealed class MigrationDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "migrating.md"));

    private static IEnumerable<string> Blocks(string language) =>
        Regex.Matches(Doc, $@"```{language}\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value);

    private static string Normalised(string code) => Regex.Replace(code, @"\s+", " ").Trim();

    [Fact]
    public void Every_csharp_block_is_an_excerpt_of_the_compiled_source_file_it_names()
    {
        var blocks = Blocks("csharp").ToList();
        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var lines = block.Split('\n');
            var source = Regex.Match(lines[0], @"^// (\S+\.cs)$");
            Assert.True(source.Success, $"a C# block must start with the path of its source file:\n{block}");
            var file = File.ReadAllText(Path.Combine(Paths.RepoRoot, source.Groups[1].Value));
            Assert.True(Normalised(file).Contains(Normalised(string.Join('\n', lines.Skip(1))), StringComparison.Ordinal),
                $"not an excerpt of {source.Groups[1].Value}:\n{block}");
        }
    }

    [Fact]
    public void Every_hocon_block_names_only_keys_of_the_reference_configuration_and_is_valid()
    {
        var blocks = Blocks("hocon").ToList();
        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var config = ConfigurationFactory.ParseString(block);
            foreach (var key in Leaves(config.Root, ""))
                Assert.True(EventEngine.ReferenceConfig.HasPath(key), $"{key} is not a key of hocon/event-engine.conf");
            EngineSettings.From(config.WithFallback(EventEngine.ReferenceConfig));
        }
    }

    [Fact]
    public async Task Every_option_of_the_example_the_commands_use_exists()
    {
        using var help = new OsProcess(Paths.Dotnet, [Paths.ExampleDll, "--help"]);
        Assert.Equal(0, await help.WaitForExit(TimeSpan.FromSeconds(60)));
        // `dotnet run --project example/EventEngine.Example -- OPTIONS`: the example's options follow the lone "--"
        var options = Blocks("bash").SelectMany(b => b.Split('\n')).Where(l => l.Contains("EventEngine.Example -- ", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l[l.IndexOf(" -- ", StringComparison.Ordinal)..], @"(?<=\s)--[a-z][a-z-]+").Select(m => m.Value)).Distinct().ToList();
        Assert.Contains("--bind-address", options);
        foreach (var option in options) Assert.True(help.HasLine(option), $"the example has no {option}:\n{help.Output}");
    }

    [Fact]
    public void The_doc_names_every_migration_test_and_only_tests_that_exist()
    {
        var named = Regex.Matches(Doc, @"`(MigrationTests)\.(\w+)`").Select(m => m.Groups[2].Value).ToHashSet();
        var tests = typeof(MigrationTests).GetMethods()
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => m.Name).ToHashSet();
        Assert.Empty(named.Except(tests));
        Assert.Empty(tests.Except(named));
    }

    private static IEnumerable<string> Leaves(HoconValue value, string path) => value.IsObject()
        ? value.GetObject().Items.SelectMany(kv => Leaves(kv.Value, path.Length == 0 ? kv.Key : $"{path}.{kv.Key}"))
        : [path];
}
