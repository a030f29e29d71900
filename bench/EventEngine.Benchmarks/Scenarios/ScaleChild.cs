using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;
using NetMQ;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>The event every plugin of a scale run gets once, after start-up.</summary>
public sealed record ScaleTick(int Round);

/// <summary>An idle plugin: subscribes to <see cref="ScaleTick"/>, finishes when it gets one.</summary>
public sealed class ScalePlugin : EventPlugin
{
    private readonly ScaleTally _tally;

    public ScalePlugin(ScaleTally tally)
    {
        _tally = tally;
        Subscribe<ScaleTick>(_ =>
        {
            tally.Seen();
            Finish();
        });
    }

    protected override void OnStart() => _tally.Started();
}

/// <summary>Counts what plugins saw, and notes when the first start hook ran (the start-up barrier passed).</summary>
public sealed class ScaleTally
{
    private long _delivered;
    private long _firstStart;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long FirstStart => Interlocked.Read(ref _firstStart);

    public void Seen() => Interlocked.Increment(ref _delivered);

    public void Started() => Interlocked.CompareExchange(ref _firstStart, Stopwatch.GetTimestamp(), 0);
}

/// <summary>What one scale run measured.</summary>
/// <param name="StartupMs">Engine: from EventEngine.Start until the start-up barrier passed (the first start hook
/// ran). Akka: from creating the coordinator until every actor said it was ready.</param>
/// <param name="Delivered">Plugins that got the tick published after start-up.</param>
/// <param name="PeakRssMb">Peak resident set of the process (meaningful per size only in a child process).</param>
public sealed record ScaleOutcome(int Plugins, double StartupMs, long Delivered, double PeakRssMb);

/// <summary>
/// d. scale, one size in one process: the hidden <c>scale-child</c> sub-command the scale scenario runs per size and
/// mode, so peak RSS of one size is not polluted by another. Prints <c>scale-result {json}</c>.
/// </summary>
public static class ScaleChild
{
    public static Command Command()
    {
        var plugins = new Option<int>("--plugins") { Required = true };
        var mode = new Option<string>("--mode") { DefaultValueFactory = _ => "engine" };
        var command = new Command("scale-child", "One size of the scale scenario in this process (used by the scale scenario)") { plugins, mode };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            var n = parse.GetValue(plugins);
            var outcome = parse.GetValue(mode) == "akka" ? await Akka(n, TimeSpan.FromSeconds(120)) : await Engine(n, TimeSpan.FromSeconds(120));
            Console.WriteLine("scale-result " + JsonSerializer.Serialize(outcome));
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return command;
    }

    public static async Task<ScaleOutcome> Engine(int plugins, TimeSpan timeout)
    {
        var tally = new ScaleTally();
        var run = await EngineRunner.RunAsync("scale", engine =>
        {
            for (var i = 0; i < plugins; i++) engine.AddPlugin<ScalePlugin>(string.Create(CultureInfo.InvariantCulture, $"plugin-{i}"), tally);
        }, timeout, onStarted: engine =>
        {
            engine.Publish(new ScaleTick(1));
            return Task.CompletedTask;
        });
        if (!run.Completed) Console.Error.WriteLine($"bench: scale: {plugins} plugins did not complete; {tally.Delivered} got the tick");
        var startup = tally.FirstStart > 0 ? Stopwatch.GetElapsedTime(run.CreatedAt, tally.FirstStart) : run.StartupTime;
        return new ScaleOutcome(plugins, startup.TotalMilliseconds, tally.Delivered, BenchContext.PeakRssMb());
    }

    public static async Task<ScaleOutcome> Akka(int actors, TimeSpan timeout)
    {
        var system = ActorSystem.Create("scale-akka", EngineRunner.Config());
        try
        {
            var ready = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var createdAt = Stopwatch.GetTimestamp();
            var coordinator = system.ActorOf(Props.Create(() => new Coordinator(actors, ready, finished)));
            await Task.WhenAny(ready.Task, Task.Delay(timeout));
            var startup = ready.Task.IsCompleted ? Stopwatch.GetElapsedTime(createdAt, ready.Task.Result) : TimeSpan.Zero;
            coordinator.Tell(new ScaleTick(1));
            await Task.WhenAny(finished.Task, Task.Delay(timeout));
            return new ScaleOutcome(actors, startup.TotalMilliseconds, finished.Task.IsCompleted ? finished.Task.Result : 0, BenchContext.PeakRssMb());
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Bare Akka's start-up barrier: creates the actors, waits for each to say ready, then ticks them all.</summary>
    private sealed class Coordinator : ReceiveActor
    {
        public Coordinator(int actors, TaskCompletionSource<long> ready, TaskCompletionSource<long> finished)
        {
            var children = new List<IActorRef>(actors);
            for (var i = 0; i < actors; i++)
                children.Add(Context.ActorOf(Props.Create<Idle>().WithDispatcher("event-engine.dispatchers.plugins"), $"plugin-{i}"));
            int readyCount = 0, doneCount = 0;
            Receive<Ready>(_ =>
            {
                if (++readyCount == actors) ready.TrySetResult(Stopwatch.GetTimestamp());
            });
            Receive<ScaleTick>(t => children.ForEach(c => c.Tell(t)));
            Receive<Done>(_ =>
            {
                if (++doneCount == actors) finished.TrySetResult(doneCount);
            });
        }
    }

    private sealed class Idle : ReceiveActor
    {
        public Idle() => Receive<ScaleTick>(_ =>
        {
            Context.Parent.Tell(Done.Instance);
            Context.Stop(Self);
        });

        protected override void PreStart() => Context.Parent.Tell(Ready.Instance);
    }

    private sealed class Ready
    {
        public static readonly Ready Instance = new();
    }

    private sealed class Done
    {
        public static readonly Done Instance = new();
    }
}
