using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using EventEngine.Actors;
using EventEngine.Actors.FaultHost;
using EventEngine.Actors.FaultHost.Soak;
using EventEngine.Actors.Gateway;
using EventEngine.Actors.Hosting;
using EventEngine.Samples.Example;
using EventEngine.Samples.LoadTest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetMQ;
using Engine = EventEngine.Actors.EventEngine;

// The fault suite's engine in its own process (tests/EventEngine.Actors.FaultTests runs it and measures it from
// outside), and `measure-shutdown`, the program behind the shutdown figure of docs/reliability.md.
//
//   serve            an engine in service mode; --external NAME registers an external plugin (TypeA) on an ephemeral port
//   load             service mode under full load: the load test (unbounded) + a Python plugin reading in batches
//   slow-consumer    a producer offering --rate events/s for --seconds to an internal and an external consumer at ~1000/s
//   restart-limit    the load + a plugin that always throws, with on-restart-limit = shutdown
//   measure-shutdown runs `load` --rounds times per way of stopping it and prints how long each took to exit
//   soak             --seconds N of everything at once, checked for loss and growth (Soak/SoakRun.cs)
//
// Common options: --hocon TEXT (repeatable), --host (run under a Generic Host with Akka.Hosting). Every mode prints
// "ready ..." once running. Lines on stdin: "stats" (threads, open files, managed heap after a full GC), "publish N"
// (N TypeA events), "stop" (orderly stop), "exit" (leave once the result is printed); end of stdin stops too.
// The last line is "exit code=C ...".
var options = Options.Parse(args);
if (options.Mode == "measure-shutdown") return await ShutdownMeasurement.RunAsync(options);
if (options.Mode == "soak") return await SoakRun.RunAsync(options);
return await new EngineRun(options).RunAsync();

internal sealed record Options(string Mode, List<string> Hocon, List<string> External, bool Host, double Seconds, double Rate,
    int ConsumerMillis, int Rounds)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(args.Length > 0 ? args[0] : "serve", new List<string>(), new List<string>(), false, 10, 100_000, 1, 5);
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--hocon" => o.With(h: Next()),
                "--external" => o.With(e: Next()),
                "--host" => o with { Host = true },
                "--seconds" => o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rate" => o with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--consumer-millis" => o with { ConsumerMillis = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rounds" => o with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }
        return o;
    }

    private Options With(string? h = null, string? e = null)
    {
        if (h is not null) Hocon.Add(h);
        if (e is not null) External.Add(e);
        return this;
    }
}

/// <summary>One engine run in this process, in the chosen mode.</summary>
internal sealed class EngineRun
{
    private readonly Options _options;
    private readonly RunState _state = new();
    private readonly TaskCompletionSource<Action> _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PosixSignalRegistration> _signals = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _signalledAt;
    private Engine? _engine;

    public EngineRun(Options options) => _options = options;

    internal static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A script of tests/EventEngine.Actors.FaultHost/python.</summary>
    internal static string Script(string file) => Path.Combine(RepoRoot, "tests", "EventEngine.Actors.FaultHost", "python", file);

    public async Task<int> RunAsync()
    {
        var config = Config();
        int exit;
        if (_options.Host) exit = await RunHostedAsync(config);
        else
        {
            exit = await EventEngineApplication.RunAsync(Configure, config, engine =>
            {
                _stop.TrySetResult(() => CoordinatedShutdown.Get(engine.System).Run(CoordinatedShutdown.ClrExitReason.Instance));
                Started(engine);
            }, "faulthost");
        }
        foreach (var registration in _signals) registration.Dispose();
        var signalled = Interlocked.Read(ref _signalledAt);
        var stopMs = signalled == 0 ? -1 : Stopwatch.GetElapsedTime(signalled).TotalMilliseconds;
        PrintResult();
        NetMQConfig.Cleanup(block: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exit code={exit} stop_ms={stopMs:F0} engine_threads_left={EngineThreads().Count} threads=[{string.Join(",", ThreadNames())}]"));
        return exit;
    }

    private async Task<int> RunHostedAsync(Config config)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("faulthost", akka => akka
            .AddHocon(config, HoconAddMode.Prepend)
            .WithEventEngine(Configure)
            .AddStartup((system, _) => Started(Engine.Of(system))));
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        _stop.TrySetResult(lifetime.StopApplication);
        await host.RunAsync();
        return 0;
    }

    private Config Config()
    {
        var mode = _options.Mode switch
        {
            "slow-consumer" => """
                event-engine.run-mode = run-to-completion
                event-engine.flow-control { high-water-mark = 2000, low-water-mark = 1000 }
                """,
            "restart-limit" => "event-engine.supervision { max-restarts = 2, within = 1m, on-restart-limit = shutdown }",
            _ => "",
        };
        // The options' HOCON first, then the mode's, then the defaults of every run (earlier wins).
        return ConfigurationFactory.ParseString(string.Join("\n", _options.Hocon))
            .WithFallback(ConfigurationFactory.ParseString(mode))
            .WithFallback(Defaults());
    }

    /// <summary>The HOCON of every run: service mode, ephemeral wire ports, pyevents on the plugins' path, logs as lines on stdout.</summary>
    internal static Config Defaults()
    {
        var pyevents = Path.Combine(RepoRoot, "pyevents");
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = INFO
              stdout-loglevel = WARNING
              loggers = ["EventEngine.Actors.FaultHost.LineLogger, EventEngine.Actors.FaultHost"]
              log-dead-letters = off
            }
            event-engine {
              run-mode = service
              wire { publish-port = 0, subscribe-port = 0 }
              gateway.processes {
                python-path = ["{{pyevents.Replace("\\", "\\\\")}}"]
                restart-backoff { min = 100ms, max = 1s }
              }
            }
            """);
    }

    private void Configure(EventEngineBuilder engine)
    {
        foreach (var name in _options.External) engine.AddExternalPlugin(name, 0, ["TypeA"]);
        switch (_options.Mode)
        {
            case "serve":
                break;
            case "load":
            case "restart-limit":
                engine.AddLoadTest(new LoadTestPlan(long.MaxValue), new TaskCompletionSource<LoadTestResult>())
                    .AddPlugin<LoadMeter>(args: [_state, 20_000L])
                    .AddExternalPlugin("PyLoad", 0, ["OperatorMsg"], [Script("load_consumer.py")]);
                if (_options.Mode == "restart-limit") engine.AddPlugin<Doomed>();
                break;
            case "slow-consumer":
                engine.AddPlugin<PacedProducer>(args: [_state, _options.Rate, TimeSpan.FromSeconds(_options.Seconds)])
                    .AddPlugin<SlowConsumer>(args: [_state, _options.ConsumerMillis])
                    .AddPlugin<Reporter>(args: [_state])
                    .AddExternalPlugin("PySlow", 0, ["Num", "End"],
                        [Script("slow_consumer.py"), (_options.ConsumerMillis / 1000.0).ToString(CultureInfo.InvariantCulture)]);
                break;
            default:
                throw new ArgumentException($"unknown mode {_options.Mode}");
        }
    }

    // Called once the engine runs: says "ready" with its ports, then "loaded" under load, and serves stdin.
    private void Started(Engine engine)
    {
        _engine = engine;
        // Registered after the engine's own (and Akka's) handlers, so these run first: the stop is timed from the signal.
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Interlocked.CompareExchange(ref _signalledAt, Stopwatch.GetTimestamp(), 0)));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Interlocked.CompareExchange(ref _signalledAt, Stopwatch.GetTimestamp(), 0)));
        var plugins = string.Join(" ", _options.External.Select(n => $"plugin:{n}={engine.ExternalPluginPort(n)}"));
        Console.WriteLine($"ready pid={Environment.ProcessId} publish={engine.PublishPort} subscribe={engine.SubscribePort} {plugins}".TrimEnd());
        _state.Loaded.Task.ContinueWith(_ => Console.WriteLine("loaded"), TaskScheduler.Default);
        var stdin = new Thread(ServeStdin) { IsBackground = true, Name = "faulthost-stdin" };
        stdin.Start();
    }

    private void ServeStdin()
    {
        while (Console.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "stats":
                    Console.WriteLine(Stats());
                    break;
                case "publish":
                    for (var i = 0; i < int.Parse(words[1], CultureInfo.InvariantCulture); i++) _engine!.PublishAsync(new TypeA($"{i}")).Wait();
                    Console.WriteLine($"published {words[1]}");
                    break;
                case "stop":
                    Stop();
                    return;
                case "exit":
                    _release.TrySetResult();
                    break;
            }
        }
        _release.TrySetResult();
        Stop(); // end of stdin: whoever started us is gone
    }

    private void Stop()
    {
        Interlocked.CompareExchange(ref _signalledAt, Stopwatch.GetTimestamp(), 0);
        _stop.Task.Result();
    }

    private string Stats()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var outside = _engine?.Router.Table.OutsidePrefixes.Count() ?? 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"stats threads={Directory.GetDirectories("/proc/self/task").Length} fds={Directory.GetFiles("/proc/self/fd").Length} heap={heap} outside={outside}");
    }

    private void PrintResult()
    {
        if (_options.Mode != "slow-consumer") return;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result offered={_state.Offered} published={_state.Published} internal={_state.Consumed} internal_ordered={(_state.ConsumedInOrder ? "true" : "false")} {_state.ExternalReport}"));
        // The test reads this process's peak RSS from /proc/PID/status now; it lets us go with a line (or end of stdin).
        Console.WriteLine("waiting");
        _release.Task.Wait(TimeSpan.FromSeconds(60));
    }

    /// <summary>Threads this process's engines started (poller, launcher) that are still alive.</summary>
    private static List<string> EngineThreads() => ThreadNames().Where(n => n.StartsWith("event-engine", StringComparison.Ordinal)).ToList();

    private static List<string> ThreadNames()
    {
        var names = new List<string>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EventEngine.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (EventEngine.Actors.sln) above " + AppContext.BaseDirectory);
    }
}
