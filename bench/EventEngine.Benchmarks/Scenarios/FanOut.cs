using System.Diagnostics;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>The fan-out event (MessagePack by default; it never leaves the process, so it is never encoded).</summary>
public sealed record FanOutTick(long Seq);

/// <summary>Where the subscribers of one fan-out run report: the last one to see all its events stops the clock.</summary>
public sealed class FanOutTally(int subscribers)
{
    private int _remaining = subscribers;

    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Delivered;

    public void SubscriberDone(long seen)
    {
        Interlocked.Add(ref Delivered, seen);
        if (Interlocked.Decrement(ref _remaining) == 0) Done.TrySetResult(Stopwatch.GetTimestamp());
    }
}

/// <summary>Publishes <c>events</c> ticks as fast as flow control lets it.</summary>
public sealed class FanOutProducer(long events, Pipeline.StartClock clock) : EventPlugin
{
    protected override async Task OnStartAsync()
    {
        clock.Start();
        var tick = new FanOutTick(0); // events are immutable: one instance serves every publication
        for (long i = 0; i < events; i++) await PublishAsync(tick);
        Finish();
    }
}

/// <summary>Counts ticks; reports to the tally once it has seen them all.</summary>
public sealed class FanOutSubscriber : EventPlugin
{
    public FanOutSubscriber(long events, FanOutTally tally)
    {
        long seen = 0;
        Subscribe<FanOutTick>(_ =>
        {
            if (++seen != events) return;
            tally.SubscriberDone(seen);
            Finish();
        });
    }
}

/// <summary>c. fan-out: one publisher to 1, 10 and 100 subscribers, deliveries per second, against bare Akka (one Tell per subscriber).</summary>
public static class FanOut
{
    public static async Task RunAsync(BenchContext context)
    {
        var deliveries = context.Quick ? 20_000 : 4_000_000;
        var runs = context.Quick ? 1 : 5;
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 120);
        foreach (var subscribers in new[] { 1, 10, 100 })
        {
            var events = deliveries / subscribers;
            // A full-size warm-up of each, unmeasured: the JIT's tiers settle over the first run of a size (the pipeline
            // scenario's reason for its warm-up runs). With a warm-up of 2,000 events only, the first case (one subscriber)
            // measured 0.51-0.88x bare Akka in four runs of this scenario.
            if (!context.Quick)
            {
                await Engine(subscribers, events, timeout);
                await Akka(subscribers, events, timeout);
            }
            // Noisy machines: alternate the engine and bare Akka, and take the median of each.
            var engineRuns = new List<Outcome>();
            var akkaRuns = new List<Outcome>();
            for (var i = 0; i < runs; i++)
            {
                engineRuns.Add(await Engine(subscribers, events, timeout));
                akkaRuns.Add(await Akka(subscribers, events, timeout));
            }
            var engine = Median(engineRuns);
            var akka = Median(akkaRuns);
            Console.Error.WriteLine($"bench: fanout {subscribers}: engine {engine.Delivered} in {engine.Seconds:F3} s, akka {akka.Delivered} in {akka.Seconds:F3} s");
            // Less sensitive to a busy machine than rates: what each delivery costs the process (start-up and shutdown included).
            Console.Error.WriteLine($"bench: fanout {subscribers} cost per delivery (median of the runs, whole run): engine {CostOf(engineRuns)}; akka {CostOf(akkaRuns)}");
            if (akka.Delivered != (long)events * subscribers) context.Results.Fail($"fanout: bare Akka delivered {akka.Delivered} of {(long)events * subscribers}");
            context.Results.Add(new Row("fanout", $"subscribers={subscribers}", "deliveries", "deliveries/s", engine.Rate, "akka", akka.Rate, true,
                engine.Delivered, (long)events * subscribers));
            if (!context.Quick)
                context.Results.Check($"fan-out to {subscribers} subscriber(s) >= 0.8x bare Akka", engine.Rate >= 0.8 * akka.Rate,
                    $"{engine.Rate / akka.Rate:F2}x ({engine.Rate:N0} vs {akka.Rate:N0} deliveries/s)");
            if (!context.Quick && subscribers == 100)
                context.Results.Check("fan-out to 100 subscribers >= 1,000,000 deliveries/s", engine.Rate >= 1_000_000,
                    $"{engine.Rate:N0} deliveries/s (bare Akka {akka.Rate:N0})");
        }
    }

    private static Outcome Median(List<Outcome> runs) =>
        runs.FirstOrDefault(r => r.Delivered != runs.Max(x => x.Delivered)) ?? runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);

    private static string CostOf(List<Outcome> runs) =>
        $"{runs.Select(r => r.CpuSeconds * 1e9 / Math.Max(1, r.Delivered)).Order().ElementAt(runs.Count / 2):F0} ns CPU, " +
        $"{runs.Select(r => (double)r.AllocatedBytes / Math.Max(1, r.Delivered)).Order().ElementAt(runs.Count / 2):F1} B allocated";

    private sealed record Outcome(long Delivered, double Seconds, double CpuSeconds, long AllocatedBytes)
    {
        public double Rate => Seconds > 0 ? Delivered / Seconds : 0;
    }

    private static Outcome OutcomeSince(ProcessCost start, long delivered, double seconds)
    {
        var cost = ProcessCost.Since(start);
        return new Outcome(delivered, seconds, cost.Cpu.TotalSeconds, cost.Allocated);
    }

    private static async Task<Outcome> Engine(int subscribers, long events, TimeSpan timeout)
    {
        var start = ProcessCost.Now();
        var tally = new FanOutTally(subscribers);
        var clock = new Pipeline.StartClock();
        var run = await EngineRunner.RunAsync("fanout", engine =>
        {
            engine.AddPlugin<FanOutProducer>(args: [events, clock]);
            for (var i = 0; i < subscribers; i++) engine.AddPlugin<FanOutSubscriber>($"subscriber-{i}", events, tally);
        }, timeout);
        var seconds = run.Completed && tally.Done.Task.IsCompleted ? Stopwatch.GetElapsedTime(clock.At, tally.Done.Task.Result).TotalSeconds : 0;
        var outcome = OutcomeSince(start, Interlocked.Read(ref tally.Delivered), seconds);
        GC.Collect();
        return outcome;
    }

    private static async Task<Outcome> Akka(int subscribers, long events, TimeSpan timeout)
    {
        var start = ProcessCost.Now();
        var system = ActorSystem.Create("fanout-akka", EngineRunner.Config());
        long delivered;
        double seconds;
        try
        {
            var tally = new FanOutTally(subscribers);
            var dispatcher = "event-engine.dispatchers.plugins";
            var targets = Enumerable.Range(0, subscribers)
                .Select(_ => system.ActorOf(Props.Create(() => new AkkaSubscriber(events, tally)).WithDispatcher(dispatcher))).ToArray();
            var producer = system.ActorOf(Props.Create(() => new AkkaProducer(events, targets)).WithDispatcher(dispatcher));
            var started = Stopwatch.GetTimestamp();
            producer.Tell(AkkaProducer.Go.Instance);
            var done = await Task.WhenAny(tally.Done.Task, Task.Delay(timeout)) == tally.Done.Task;
            delivered = Interlocked.Read(ref tally.Delivered);
            seconds = done ? Stopwatch.GetElapsedTime(started, tally.Done.Task.Result).TotalSeconds : 0;
        }
        finally
        {
            await system.Terminate();
        }
        var outcome = OutcomeSince(start, delivered, seconds); // start and termination included, as in the engine's runs
        GC.Collect();
        return outcome;
    }

    /// <summary>Tells every event to every subscriber, 1000 events per message it handles.</summary>
    private sealed class AkkaProducer : ReceiveActor
    {
        public AkkaProducer(long events, IActorRef[] targets)
        {
            var tick = new FanOutTick(0);
            long i = 0;
            Receive<Go>(_ =>
            {
                var end = Math.Min(events, i + 1000);
                for (; i < end; i++)
                    foreach (var target in targets) target.Tell(tick, ActorRefs.NoSender);
                if (i < events) Self.Tell(Go.Instance);
            });
        }

        public sealed class Go
        {
            public static readonly Go Instance = new();
        }
    }

    private sealed class AkkaSubscriber : ReceiveActor
    {
        public AkkaSubscriber(long events, FanOutTally tally)
        {
            long seen = 0;
            Receive<FanOutTick>(_ =>
            {
                if (++seen == events) tally.SubscriberDone(seen);
            });
        }
    }
}
