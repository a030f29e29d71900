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
    /// <summary>The modes a child runs: the engine (with its wire, or with it off) and bare Akka (ReceiveActor or UntypedActor).</summary>
    public static readonly string[] Modes = ["engine", "engine-wire-off", "akka", "akka-untyped"];

    public static Command Command()
    {
        var plugins = new Option<int>("--plugins") { Required = true };
        var mode = new Option<string>("--mode") { DefaultValueFactory = _ => "engine" };
        mode.AcceptOnlyFromAmong(Modes);
        var command = new Command("scale-child", "One size of the scale scenario in this process (used by the scale scenario)") { plugins, mode };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            var n = parse.GetValue(plugins);
            var timeout = TimeSpan.FromSeconds(120);
            var outcome = parse.GetValue(mode) switch
            {
                "engine-wire-off" => await Engine(n, timeout, wire: false),
                "akka" => await Akka(n, timeout),
                "akka-untyped" => await Akka(n, timeout, untyped: true),
                _ => await Engine(n, timeout),
            };
            Console.WriteLine("scale-result " + JsonSerializer.Serialize(outcome));
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return command;
    }

    /// <summary>An engine with <paramref name="plugins"/> plugins; <paramref name="wire"/> false turns its wire off (no NetMQ at all).</summary>
    public static async Task<ScaleOutcome> Engine(int plugins, TimeSpan timeout, bool wire = true)
    {
        var tally = new ScaleTally();
        var run = await EngineRunner.RunAsync("scale", engine =>
        {
            for (var i = 0; i < plugins; i++) engine.AddPlugin<ScalePlugin>(string.Create(CultureInfo.InvariantCulture, $"plugin-{i}"), tally);
        }, timeout, extraConfig: wire ? "" : "event-engine.wire.enabled = off", onStarted: engine =>
        {
            engine.Publish(new ScaleTick(1));
            return Task.CompletedTask;
        });
        if (!run.Completed) Console.Error.WriteLine($"bench: scale: {plugins} plugins did not complete; {tally.Delivered} got the tick");
        var startup = tally.FirstStart > 0 ? Stopwatch.GetElapsedTime(run.CreatedAt, tally.FirstStart) : run.StartupTime;
        return new ScaleOutcome(plugins, startup.TotalMilliseconds, tally.Delivered, BenchContext.PeakRssMb());
    }

    /// <summary>
    /// As many bare Akka actors behind a barrier of their own. <paramref name="untyped"/>: the coordinator and actors are
    /// <see cref="UntypedActor"/>s, which skip <see cref="ReceiveActor"/>'s handler compilation on each type's first instance.
    /// </summary>
    public static async Task<ScaleOutcome> Akka(int actors, TimeSpan timeout, bool untyped = false)
    {
        var system = ActorSystem.Create("scale-akka", EngineRunner.Config());
        try
        {
            var barrier = new ReadyBarrier(actors);
            var createdAt = Stopwatch.GetTimestamp();
            var coordinator = system.ActorOf(untyped ? Props.Create<UntypedCoordinator>(barrier) : Props.Create<Coordinator>(barrier));
            await Task.WhenAny(barrier.Ready.Task, Task.Delay(timeout));
            var startup = barrier.Ready.Task.IsCompleted ? Stopwatch.GetElapsedTime(createdAt, barrier.Ready.Task.Result) : TimeSpan.Zero;
            coordinator.Tell(new ScaleTick(1));
            await Task.WhenAny(barrier.Finished.Task, Task.Delay(timeout));
            return new ScaleOutcome(actors, startup.TotalMilliseconds, barrier.Finished.Task.IsCompleted ? barrier.Finished.Task.Result : 0,
                BenchContext.PeakRssMb());
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Bare Akka's start-up barrier, whichever actor kind: counts the actors' "ready" and "done".</summary>
    private sealed class ReadyBarrier(int actors)
    {
        private int _ready;
        private int _done;

        public TaskCompletionSource<long> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<long> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<IActorRef> CreateChildren(IActorContext context, Props child) =>
            Enumerable.Range(0, actors).Select(i => context.ActorOf(child.WithDispatcher("event-engine.dispatchers.plugins"), $"plugin-{i}")).ToList();

        public void OneReady()
        {
            if (++_ready == actors) Ready.TrySetResult(Stopwatch.GetTimestamp());
        }

        public void OneDone()
        {
            if (++_done == actors) Finished.TrySetResult(_done);
        }
    }

    /// <summary>Creates the actors, waits for each to say ready, then ticks them all.</summary>
    private sealed class Coordinator : ReceiveActor
    {
        public Coordinator(ReadyBarrier barrier)
        {
            var children = barrier.CreateChildren(Context, Props.Create<Idle>());
            Receive<Ready>(_ => barrier.OneReady());
            Receive<ScaleTick>(t => children.ForEach(c => c.Tell(t)));
            Receive<Done>(_ => barrier.OneDone());
        }
    }

    private sealed class Idle : ReceiveActor
    {
        public Idle() => Receive<ScaleTick>(_ => IdleTicked(Context));

        protected override void PreStart() => Context.Parent.Tell(Ready.Instance);
    }

    /// <summary>The same coordinator as an <see cref="UntypedActor"/>.</summary>
    private sealed class UntypedCoordinator(ReadyBarrier barrier) : UntypedActor
    {
        private readonly List<IActorRef> _children = barrier.CreateChildren(Context, Props.Create<UntypedIdle>());

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Ready: barrier.OneReady(); break;
                case ScaleTick t: _children.ForEach(c => c.Tell(t)); break;
                case Done: barrier.OneDone(); break;
                default: Unhandled(message); break;
            }
        }
    }

    private sealed class UntypedIdle : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is ScaleTick) IdleTicked(Context);
            else Unhandled(message);
        }

        protected override void PreStart() => Context.Parent.Tell(Ready.Instance);
    }

    private static void IdleTicked(IActorContext context)
    {
        context.Parent.Tell(Done.Instance);
        context.Stop(context.Self);
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
