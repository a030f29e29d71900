using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using EventEngine.Actors.Tests.Readme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>The README's programs are compiled and run: the quick start and the Generic Host snippet.</summary>
public class ReadmeTests
{
    private static string Readme => File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "README.md")).ReplaceLineEndings("\n");

    /// <summary>The Thermometer publishes 60 + i * 0.5 °C for i = 0..99: 19 readings above 100 °C.</summary>
    private const int Alarms = 19;

    private static readonly Regex AlarmLine = new(@"boiler at \d+(\.5)? °C");

    [Fact]
    public void The_quick_start_in_the_README_is_the_compiled_quick_start_program()
    {
        var block = Regex.Match(Readme, @"## Quick start\n\n```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no C# block under '## Quick start'");
        var program = File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "example", "EventEngine.QuickStart", "Program.cs"));
        Assert.Equal(program.ReplaceLineEndings("\n"), block.Groups[1].Value);
    }

    [Fact]
    public async Task The_quick_start_program_runs_to_completion_and_raises_its_alarms()
    {
        using var ports = DefaultPorts.Lock();
        var (exit, stdout, stderr) = await ProgramRunner.RunAsync(ProgramRunner.ExampleDll("EventEngine.QuickStart"), "", TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"exit code {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Equal(Alarms, AlarmLine.Matches(stdout).Count);
        Assert.Contains("Plugin Alarm finished", stdout);
    }

    [Fact]
    public void The_generic_host_snippet_in_the_README_is_the_compiled_one()
    {
        var block = Regex.Match(Readme, @"### With a Generic Host \(Akka.Hosting\)\n\n```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no C# block under '### With a Generic Host (Akka.Hosting)'");
        var source = File.ReadAllText(Path.Combine(ProgramRunner.RepoRoot, "tests", "EventEngine.Actors.Tests", "Readme", "GenericHostSnippet.cs")).ReplaceLineEndings("\n");
        var snippet = Regex.Match(source, @"// README begin\n(.*?)\n\s*// README end", RegexOptions.Singleline).Groups[1].Value;
        var lines = block.Groups[1].Value.TrimEnd().Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(usings);
        Assert.All(usings, u => Assert.Contains(u + "\n", source));
        Assert.Equal(string.Join("\n", lines.Skip(usings.Count).SkipWhile(l => l.Length == 0)), Dedent(snippet));
    }

    [Fact]
    public async Task The_generic_host_snippet_runs_the_quick_start_plugins_in_service_mode_and_logs_through_MEL()
    {
        using var ports = DefaultPorts.Lock();
        var logged = new ConcurrentQueue<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new CollectingLoggerProvider(logged));
        GenericHostSnippet.Configure(builder);
        var notified = new ConcurrentQueue<string>();
        builder.Services.AddSingleton<INotifier>(new CollectingNotifier(notified)); // the last registration wins: Alarm gets it
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            var system = host.Services.GetRequiredService<Akka.Actor.ActorSystem>();
            var engine = EventEngine.Of(system);
            await Wait.Until(() => notified.Count >= Alarms && logged.Any(l => l.Contains("Plugin Alarm finished")),
                () => $"{Alarms} alarms through the injected INotifier (got {notified.Count}) and 'Plugin Alarm finished' through Microsoft.Extensions.Logging",
                TimeSpan.FromSeconds(60));
            Assert.Equal(Alarms, notified.Count(n => AlarmLine.IsMatch(n)));
            Assert.Equal(5559, engine.PublishPort);
            Assert.False(system.WhenTerminated.IsCompleted, "run-mode = service: the engine runs on after its plugins finished");
        }
        finally
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private static string Dedent(string text)
    {
        var lines = text.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}

/// <summary>An <see cref="INotifier"/> that keeps what it was told (the README's LogNotifier writes to the console).</summary>
internal sealed class CollectingNotifier(ConcurrentQueue<string> notified) : INotifier
{
    public Task NotifyAsync(string message, CancellationToken cancellationToken)
    {
        notified.Enqueue(message);
        return Task.CompletedTask;
    }
}
