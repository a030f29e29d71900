using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.Cluster.Links;
using EventEngine.Benchmarks.Infrastructure;
using EventEngine.Samples.LoadTest;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>
/// g. cluster: events/s from a producer on one engine node (this process) to a consumer on another (a child process,
/// loopback), order and loss checked, against bare Akka.Remote between two processes (one <c>Tell</c> per event, a
/// window of <see cref="BareWindow"/> events, acknowledged every <see cref="ClusterChild.AckEvery"/>, the
/// same bytes and the links' serializer); and the load test with cluster mode on (a one-node cluster) against off,
/// each run in a fresh process, alternating.
/// </summary>
public static class Cluster
{
    /// <summary>
    /// Events the bare Akka.Remote baseline leaves unacknowledged at most: the engine's default window
    /// (<c>flow-control.high-water-mark</c>), fixed here so that tuning the engine's window never moves the baseline.
    /// </summary>
    public const int BareWindow = 20_000;

    /// <summary>
    /// Events each local run (cluster mode on or off) publishes before its clock starts: about 3.5 s of a 2-core machine
    /// at the engine's pace since plugins exchange batches (15M events/s). A cluster node goes on forming its cluster and
    /// compiling cluster code through its first seconds; timed from the 5,000,000th event (0.35 s in), cluster mode on
    /// measured 0.94x off, from the 20,000,000th 0.95x, from the 60,000,000th 0.98x (docs/benchmarks.md, "g. cluster").
    /// </summary>
    private const long LocalUntimedEvents = 50_000_000;

    /// <summary>Events each local run is timed on, after <see cref="LocalUntimedEvents"/>.</summary>
    private const long LocalTimedEvents = 20_000_000;

    /// <summary>Rounds of the local comparison (each runs both modes, alternating which goes first).</summary>
    private const int LocalRounds = 7;

    /// <param name="nodeConfig">HOCON over both engine nodes' configuration (tuning experiments: link batching, windows).</param>
    public static async Task RunAsync(BenchContext context, long? eventsOverride, string nodeConfig)
    {
        var events = eventsOverride ?? (context.Quick ? 20_000 : 1_000_000);
        // Both sides warm up alike, with as many events as they are measured on (at most 1,000,000): a fresh .NET
        // process goes on compiling (tier-1 JIT) for seconds, and with 20,000 or even 250,000 events the consumer's JIT
        // still took up to half its processor time through the measured events (perf, docs/benchmarks.md "g. cluster").
        var warmUp = Math.Clamp(events, 1, 1_000_000);
        var timeout = TimeSpan.FromSeconds(context.Quick ? 60 : 300);

        var engine = await CrossNodeEngine(events, warmUp, nodeConfig, timeout);
        var akka = await CrossNodeAkka(events, warmUp, timeout);
        Console.Error.WriteLine($"bench: cluster cross-node: engine {engine}, bare Akka.Remote {akka}");
        if (!akka.Complete(events)) context.Results.Fail($"cluster: bare Akka.Remote: {akka}");
        var caseName = $"{events}x{CrossNodeEvent.Padding.Length}B cross-node";
        context.Results.Add(new Row("cluster", caseName, "throughput", "events/s", engine.Rate, "bare Akka.Remote (1 Tell/event)", akka.Rate, true,
            engine.Complete(events) ? events : Math.Min(engine.Outcome.Received, events - 1), events));
        context.Results.Add(new Row("cluster", caseName, "processor time (both processes)", "µs/event", engine.CpuMicrosPerEvent,
            "bare Akka.Remote (1 Tell/event)", akka.CpuMicrosPerEvent, false, engine.Complete(events) ? events : Math.Min(engine.Outcome.Received, events - 1), events));

        // Throughput once running, not start-up: each local run is one engine in a fresh process, 70,000,000 events,
        // timed from the 50,000,000th on, the modes alternating which goes first. Timed from the first event of the third
        // run in a process (the pipeline scenario's way), cluster mode on measured 0.88-0.90x off: every engine start in
        // cluster mode JITs remoting, cluster and Distributed Data code (the tiered compiler busy through the measured
        // run), and its start overlaps the first half-second. In one process one after another, every round was slower
        // than the one before in both modes: each terminated cluster-mode actor system left its Akka.Remote (DotNetty)
        // threads behind for a while (20 threads growing to 60).
        var plan = new LoadTestPlan(context.Quick ? events : LocalUntimedEvents + LocalTimedEvents).Validate();
        var measureFrom = context.Quick ? 0 : LocalUntimedEvents;
        var on = new List<Pipeline.Outcome>();
        var off = new List<Pipeline.Outcome>();
        for (var round = 0; round < (context.Quick ? 1 : LocalRounds); round++)
        {
            var onFirst = round % 2 == 1;
            if (onFirst) on.Add(await Pipeline.RunCase(context, "engine-cluster", plan, timeout, measureFrom, warmUpRuns: 0));
            off.Add(await Pipeline.RunCase(context, "engine", plan, timeout, measureFrom, warmUpRuns: 0));
            if (!onFirst) on.Add(await Pipeline.RunCase(context, "engine-cluster", plan, timeout, measureFrom, warmUpRuns: 0));
        }
        static string Runs(List<Pipeline.Outcome> runs) => string.Join(", ", runs.Select(r => $"{r.Rate:N0}/s {r.TimedCpuMicrosecondsPerEvent:F2} µs"));
        Console.Error.WriteLine($"bench: cluster local (events/s, processor time per event): on [{Runs(on)}], off [{Runs(off)}]");
        var (clusterOn, clusterOff) = (Pipeline.Median(on), Pipeline.Median(off));
        if (clusterOff.Delivered != plan.Messages) context.Results.Fail($"cluster: local run with cluster mode off delivered {clusterOff.Delivered} of {plan.Messages}");
        var localCase = $"{plan.Messages}x{plan.MinSize}-{plan.MaxSize}B local pipeline{(measureFrom > 0 ? $" timed from event {measureFrom}" : "")}";
        context.Results.Add(new Row("cluster", localCase, "throughput", "events/s", clusterOn.Rate, "cluster mode off", clusterOff.Rate, true, clusterOn.Delivered, plan.Messages));
        // The same runs' processor time while timed (median): what other work on a shared machine moves least.
        static double MedianCpu(List<Pipeline.Outcome> runs) => Stats.Median(runs.Select(r => r.TimedCpuMicrosecondsPerEvent));
        context.Results.Add(new Row("cluster", localCase, "processor time", "µs/event", MedianCpu(on), "cluster mode off", MedianCpu(off), false,
            clusterOn.Delivered, plan.Messages));

        if (!context.Quick)
        {
            context.Results.Check("cluster cross-node >= 3x bare Akka.Remote", engine.Rate >= 3 * akka.Rate,
                $"{engine.Rate / akka.Rate:F2}x ({engine.Rate:N0} vs {akka.Rate:N0} events/s)");
            context.Results.Check("cluster cross-node zero loss, order kept", engine.Complete(events), engine.ToString());
            context.Results.Check("cluster local throughput, cluster mode on >= 0.95x off", clusterOn.Rate >= 0.95 * clusterOff.Rate,
                $"{clusterOn.Rate / clusterOff.Rate:F2}x ({clusterOn.Rate:N0} vs {clusterOff.Rate:N0} events/s)");
        }
    }

    /// <summary>One cross-node run: what the consumer saw of the measured events, how long they took, the producing process's processor time and allocations.</summary>
    private sealed record CrossNodeRun(CrossNodeOutcome Outcome, TimeSpan Elapsed, TimeSpan ProducerCpu, long ProducerAllocated)
    {
        public double Rate => Elapsed > TimeSpan.Zero ? Outcome.Received / Elapsed.TotalSeconds : 0;

        /// <summary>Processor time per event, producer + consumer process, in microseconds.</summary>
        public double CpuMicrosPerEvent => Outcome.Received > 0 ? (ProducerCpu.TotalMilliseconds + Outcome.CpuMs) * 1000 / Outcome.Received : 0;

        public bool Complete(long events) => Outcome.Received == events && Outcome.InOrder;

        public override string ToString() =>
            $"{Outcome.Received} events in {Elapsed.TotalSeconds:F3} s = {Rate:N0}/s, {(Outcome.InOrder ? "in order" : "OUT OF ORDER: " + Outcome.FirstError)}, " +
            $"processor time {CpuMicrosPerEvent:F1} µs/event (producer {ProducerCpu.TotalMilliseconds:F0} ms, consumer {Outcome.CpuMs:F0} ms), " +
            $"allocated per event: producer {PerEvent(ProducerAllocated):F0} B, consumer {PerEvent(Outcome.AllocatedBytes):F0} B";

        private double PerEvent(long bytes) => Outcome.Received > 0 ? (double)bytes / Outcome.Received : 0;
    }

    /// <summary>
    /// This process is node 1 (host code publishes), the child node 2 (one plugin consumes). The clock runs from the
    /// first measured event until the child reports the last one, after a warm-up it has confirmed.
    /// </summary>
    private static async Task<CrossNodeRun> CrossNodeEngine(long events, long warmUp, string nodeConfig, TimeSpan timeout)
    {
        var system = ActorSystem.Create(ClusterChild.SystemName, ClusterChild.NodeConfig(nodeConfig));
        try
        {
            var engine = Actors.EventEngine.Start(system, e => e.AddCluster());
            ClusterChild.JoinSelf(system);
            using var consumer = ChildProgram.Start("cluster-child", "--mode", "engine", "--seed", Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(),
                "--events", $"{warmUp + events}", "--mark", $"{warmUp}", "--timeout", $"{timeout.TotalSeconds:F0}", "--config", nodeConfig);
            await engine.Started.WaitAsync(timeout); // both nodes Up, the consumer's subscription known here
            for (long i = 0; i < warmUp; i++) await engine.Publisher.PublishAsync(new CrossNodeEvent(i, CrossNodeEvent.Padding));
            await consumer.WaitForLine("cluster-at ", timeout);
            var start = ProcessCost.Now();
            var clock = Stopwatch.StartNew();
            for (var i = warmUp; i < warmUp + events; i++) await engine.Publisher.PublishAsync(new CrossNodeEvent(i, CrossNodeEvent.Padding));
            var outcome = JsonSerializer.Deserialize<CrossNodeOutcome>(await consumer.WaitForLine("cluster-result ", timeout))!;
            clock.Stop();
            var cost = ProcessCost.Since(start);
            await consumer.ExitedWithin(TimeSpan.FromSeconds(20)); // it leaves the cluster first
            return new CrossNodeRun(outcome with { Received = outcome.Received - warmUp }, clock.Elapsed, cost.Cpu, cost.Allocated);
        }
        finally
        {
            await EngineRunner.Terminate(system);
        }
    }

    /// <summary>The baseline: bare Akka.Remote between this process and the child, timed as <see cref="CrossNodeEngine"/>.</summary>
    private static async Task<CrossNodeRun> CrossNodeAkka(long events, long warmUp, TimeSpan timeout)
    {
        var system = ActorSystem.Create("bench-akka", ClusterChild.RemoteConfig());
        try
        {
            using var consumer = ChildProgram.Start("cluster-child", "--mode", "akka",
                "--events", $"{warmUp + events}", "--mark", $"{warmUp}", "--timeout", $"{timeout.TotalSeconds:F0}");
            var address = await consumer.WaitForLine("cluster-ready ", timeout);
            var receiver = await system.ActorSelection($"{address}/user/receiver").ResolveOne(timeout);
            var sender = system.ActorOf(Props.Create(() => new BareSender(receiver, BareWindow)));
            await sender.Ask<Sent>(new Send(warmUp), timeout);
            var start = ProcessCost.Now();
            var clock = Stopwatch.StartNew();
            sender.Tell(new Send(events));
            var outcome = JsonSerializer.Deserialize<CrossNodeOutcome>(await consumer.WaitForLine("cluster-result ", timeout))!;
            clock.Stop();
            var cost = ProcessCost.Since(start);
            await consumer.ExitedWithin(TimeSpan.FromSeconds(20));
            return new CrossNodeRun(outcome with { Received = outcome.Received - warmUp }, clock.Elapsed, cost.Cpu, cost.Allocated);
        }
        finally
        {
            await EngineRunner.Terminate(system);
        }
    }

    private sealed record Send(long Events);

    private sealed class Sent
    {
        public static readonly Sent Instance = new();
    }

    /// <summary>One <c>Tell</c> per event (encoded as on a link), at most <c>window</c> unacknowledged.</summary>
    private sealed class BareSender : ReceiveActor
    {
        public BareSender(IActorRef receiver, int window)
        {
            long sent = 0, acknowledged = 0, target = 0;
            IActorRef? asker = null;
            Receive<Send>(s =>
            {
                target += s.Events;
                asker = Sender;
                Pump();
            });
            Receive<NodeAck>(a =>
            {
                acknowledged = Math.Max(acknowledged, a.Sequence);
                if (acknowledged >= target) asker?.Tell(Sent.Instance);
                Pump();
            });

            void Pump()
            {
                for (; sent < target && sent - acknowledged < window; sent++)
                    receiver.Tell(new NodeBatch(sent + 1, [CrossNodeEvent.Type.Encode(new CrossNodeEvent(sent, CrossNodeEvent.Padding))]), Self);
            }
        }
    }
}
