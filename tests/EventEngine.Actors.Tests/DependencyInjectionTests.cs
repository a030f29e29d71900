using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Hosting;
using EventEngine.Actors.Hosting;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventEngine.Actors.Tests;

public interface IClock
{
    DateTimeOffset Now { get; }
}

public sealed class FixedClock(DateTimeOffset now) : IClock
{
    public DateTimeOffset Now => now;
}

/// <summary>Where injected plugins report (a singleton service).</summary>
public sealed class Reports
{
    public ConcurrentQueue<string> Lines { get; } = new();
}

public sealed class GreetingOptions
{
    public string Greeting { get; set; } = "hello";
}

/// <summary>Takes services (clock, logger, options, a singleton) and an explicit argument, in any order.</summary>
public sealed class Injected : EventPlugin
{
    private readonly IClock _clock;
    private readonly ILogger<Injected> _logger;
    private readonly GreetingOptions _options;
    private readonly Reports _reports;
    private readonly int _count;

    public Injected(IClock clock, ILogger<Injected> logger, IOptions<GreetingOptions> options, int count, Reports reports)
    {
        _clock = clock;
        _logger = logger;
        _options = options.Value;
        _count = count;
        _reports = reports;
    }

    protected override void OnStart()
    {
        _logger.LogInformation("Injected plugin {Name} starting", Name);
        _reports.Lines.Enqueue($"{_options.Greeting} {_count} at {_clock.Now:O}");
        Finish();
    }
}

public class DependencyInjectionTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Under_Akka_Hosting_plugin_constructors_take_services_and_explicit_arguments()
    {
        var reports = new Reports();
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(new FixedClock(Noon));
                services.AddSingleton(reports);
                services.Configure<GreetingOptions>(o => o.Greeting = "bonjour");
                services.AddAkka("di", akka => akka
                    .AddHocon("event-engine { run-mode = run-to-completion, wire.enabled = off }", HoconAddMode.Prepend)
                    .WithEventEngine(engine => engine.AddPlugin<Injected>(7)));
            })
            .Build();
        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60)); // run-to-completion: the plugin finishes at once
        Assert.Equal(new[] { $"bonjour 7 at {Noon:O}" }, reports.Lines);
    }

    [Fact]
    public async Task Under_Akka_Hosting_a_plugin_whose_service_is_missing_fails_at_registration_with_its_constructors()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services.AddAkka("di-missing", akka => akka
                .AddHocon("event-engine.wire.enabled = off", HoconAddMode.Prepend)
                .WithEventEngine(engine => engine.AddPlugin<Injected>(7))))
            .Build();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        var message = failure.ToString();
        Assert.Contains("plugin 'Injected': no public constructor of Injected takes (Int32) with the other parameters resolved from the host's services", message);
        Assert.Contains("Injected(IClock clock, ILogger`1 logger, IOptions`1 options, Int32 count, Reports reports)", message);
    }

    [Fact]
    public async Task The_plain_entry_point_takes_an_IServiceProvider_for_plugin_constructors()
    {
        var reports = new Reports();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IClock>(new FixedClock(Noon))
            .AddSingleton(reports)
            .BuildServiceProvider();
        var exitCode = await EventEngineApplication.RunAsync(engine => engine.AddPlugin<Injected>(3),
            ConfigurationFactory.ParseString("event-engine.wire.enabled = off"), services: services).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, exitCode);
        Assert.Equal(new[] { $"hello 3 at {Noon:O}" }, reports.Lines);
    }
}
