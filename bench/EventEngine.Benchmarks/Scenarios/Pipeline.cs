using System.Buffers.Text;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using EventEngine.Actors.Cluster;
using EventEngine.Benchmarks.Infrastructure;
using EventEngine.Samples.LoadTest;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>
/// a. pipeline: the original's load test (producer -> operator -> accumulator, payloads of 100..1000 bytes) through
/// the engine, against the same topology as bare Akka actors and as bare NetMQ through an XSUB/XPUB proxy; and the
/// engine with an async operator (<c>await Task.Yield()</c> per event) against the synchronous one, same run.
/// </summary>
public static class Pipeline
{
    public static async Task RunAsync(BenchContext context, long? messagesOverride)
    {
        var plan = new LoadTestPlan(messagesOverride ?? (context.Quick ? 20_000 : 1_000_000)).Validate();
        // NetMQ tops out near 16k/s through a proxy on these machines: bound its run so it finishes.
        var netMqPlan = plan with { Messages = Math.Min(plan.Messages, context.Quick ? 5_000 : 200_000) };
        var caseName = $"{plan.Messages}x{plan.MinSize}-{plan.MaxSize}B";
        var timeout = TimeSpan.FromSeconds(context.Quick ? 30 : 120);

        // Each run in a fresh process (warmed up there first), the cases alternating, and the median of each: no case
        // inherits the JIT tiers and profiles, heap and thread pools another case shaped, as none would in an
        // application. (Run in one process, right after the sync engine and bare Akka, the async operator measured
        // 0.41-0.46x the sync pipeline; alone in its process 0.6-0.75x.) --quick runs in this process.
        var runs = context.Quick ? 1 : 5;
        var engineRuns = new List<Outcome>();
        var akkaRuns = new List<Outcome>();
        var asyncRuns = new List<Outcome>();
        for (var i = 0; i < runs; i++)
        {
            engineRuns.Add(await RunCase(context, "engine", plan, timeout));
            akkaRuns.Add(await RunCase(context, "akka", plan, timeout));
            asyncRuns.Add(await RunCase(context, "async-operator", plan, timeout));
        }
        Console.Error.WriteLine($"bench: pipeline runs: engine [{string.Join(", ", engineRuns.Select(r => $"{r.Rate:N0}/s"))}], akka [{string.Join(", ", akkaRuns.Select(r => $"{r.Rate:N0}/s"))}], async operator [{string.Join(", ", asyncRuns.Select(r => $"{r.Rate:N0}/s"))}]");
        // Less sensitive to a busy machine than rates: what each event costs the process (start-up and shutdown included).
        Console.Error.WriteLine($"bench: pipeline cost per event (median of the runs, whole run): engine {engineRuns.Select(r => r.CpuMicrosecondsPerEvent).Order().ElementAt(runs / 2):F2} us CPU, {engineRuns.Select(r => r.AllocatedBytesPerEvent).Order().ElementAt(runs / 2):F0} B allocated; " +
            $"async operator {asyncRuns.Select(r => r.CpuMicrosecondsPerEvent).Order().ElementAt(runs / 2):F2} us CPU, {asyncRuns.Select(r => r.AllocatedBytesPerEvent).Order().ElementAt(runs / 2):F0} B allocated");
        var engine = Median(engineRuns);
        var akka = Median(akkaRuns);
        var asyncEngine = Median(asyncRuns);
        var netMq = RunNetMq(netMqPlan, timeout);
        Console.Error.WriteLine($"bench: pipeline: engine {engine}, akka {akka}, netmq {netMq}");

        var expectedSum = plan.ExpectedSum();
        var engineComplete = engine.Delivered == plan.Messages && engine.Sum == expectedSum;
        if (akka.Delivered != plan.Messages || akka.Sum != expectedSum) context.Results.Fail($"pipeline: bare Akka delivered {akka.Delivered}, sum {akka.Sum}");
        if (netMq.Delivered != netMqPlan.Messages || netMq.Sum != netMqPlan.ExpectedSum())
            context.Results.Fail($"pipeline: bare NetMQ delivered {netMq.Delivered} of {netMqPlan.Messages}, sum {netMq.Sum}");
        context.Results.Add(new Row("pipeline", caseName, "throughput", "events/s", engine.Rate, "akka", akka.Rate, true,
            engineComplete ? engine.Delivered : Math.Min(engine.Delivered, plan.Messages - 1), plan.Messages));
        context.Results.Add(new Row("pipeline", caseName, "throughput", "events/s", engine.Rate, $"netmq-proxy({netMqPlan.Messages})", netMq.Rate, true,
            engineComplete ? engine.Delivered : Math.Min(engine.Delivered, plan.Messages - 1), plan.Messages));
        var asyncComplete = asyncEngine.Delivered == plan.Messages && asyncEngine.Sum == expectedSum;
        context.Results.Add(new Row("pipeline", caseName + " async operator", "throughput", "events/s", asyncEngine.Rate, "engine (sync operator)", engine.Rate, true,
            asyncComplete ? asyncEngine.Delivered : Math.Min(asyncEngine.Delivered, plan.Messages - 1), plan.Messages));
        if (!context.Quick)
        {
            context.Results.Check("pipeline async operator >= 0.5x sync operator", asyncEngine.Rate >= 0.5 * engine.Rate,
                $"{asyncEngine.Rate / engine.Rate:F2}x ({asyncEngine.Rate:N0} vs {engine.Rate:N0} events/s)");
            context.Results.Check("pipeline async operator zero loss", asyncComplete, $"{asyncEngine.Delivered:N0} of {plan.Messages:N0}, sum {asyncEngine.Sum}");
            context.Results.Check("pipeline >= 1,000,000 events/s", engine.Rate >= 1_000_000, $"{engine.Rate:N0} events/s");
            context.Results.Check("pipeline >= 0.3x bare Akka", engine.Rate >= 0.3 * akka.Rate, $"{engine.Rate / akka.Rate:F2}x ({akka.Rate:N0} events/s bare Akka)");
            context.Results.Check("pipeline zero loss", engineComplete, $"{engine.Delivered:N0} of {plan.Messages:N0}, sum {engine.Sum}");
        }
    }

    /// <summary>
    /// Runs of the full size before the measured one: the JIT's tiers and profiles, the GC's budgets and the thread
    /// pools settle over about two of them (in one process the sync pipeline's first run of 1,000,000 was up to 2x
    /// slower than its later ones).
    /// </summary>
    private const int WarmUpRuns = 2;

    /// <summary>
    /// One run of <paramref name="mode"/> (<c>engine</c>, <c>akka</c>, <c>async-operator</c>, or <c>engine-cluster</c>:
    /// the engine as a one-node cluster): in a fresh process after <paramref name="warmUpRuns"/> there, or with --quick
    /// in this one. The clock starts at event <paramref name="measureFrom"/> (engine modes).
    /// </summary>
    internal static async Task<Outcome> RunCase(BenchContext context, string mode, LoadTestPlan plan, TimeSpan timeout, long measureFrom = 0, int warmUpRuns = WarmUpRuns)
    {
        if (context.Quick) return await Run(mode, plan, timeout, measureFrom);
        using var child = ChildProgram.Start("pipeline-child", "--mode", mode, "--messages", $"{plan.Messages}", "--trace", context.Trace,
            "--measure-from", $"{measureFrom}", "--warm-up-runs", $"{warmUpRuns}");
        return JsonSerializer.Deserialize<Outcome>(await child.WaitForLine("pipeline-result ", timeout * (warmUpRuns + 1)))!;
    }

    private static Task<Outcome> Run(string mode, LoadTestPlan plan, TimeSpan timeout, long measureFrom = 0) => mode switch
    {
        "akka" => RunAkka(plan, timeout),
        "async-operator" => RunEngine(plan, timeout, asyncOperator: true, measureFrom: measureFrom),
        "engine-cluster" => RunEngine(plan, timeout, clusterNode: true, measureFrom: measureFrom),
        _ => RunEngine(plan, timeout, measureFrom: measureFrom),
    };

    /// <summary>
    /// The hidden <c>pipeline-child</c> sub-command: one case of the scenario in this process, warm-up runs first, then
    /// the measured run. Prints <c>pipeline-result {json}</c>.
    /// </summary>
    public static Command ChildCommand()
    {
        var mode = new Option<string>("--mode") { Required = true };
        mode.AcceptOnlyFromAmong("engine", "akka", "async-operator", "engine-cluster");
        var messages = new Option<long>("--messages") { Required = true };
        var trace = new Option<string>("--trace") { DefaultValueFactory = _ => "none" };
        trace.AcceptOnlyFromAmong("none", "drop", "all");
        var warmUps = new Option<int>("--warm-up-runs") { DefaultValueFactory = _ => WarmUpRuns };
        var measureFrom = new Option<long>("--measure-from") { Description = "Events published before the clock starts (engine modes)" };
        var command = new Command("pipeline-child", "One case of the pipeline scenario in this process (used by the pipeline scenario)") { mode, messages, trace, warmUps, measureFrom };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            using var tracing = BenchContext.TraceListener(parse.GetValue(trace)!);
            var plan = new LoadTestPlan(parse.GetValue(messages)).Validate();
            var timeout = TimeSpan.FromSeconds(120);
            for (var i = 0; i < parse.GetValue(warmUps); i++) await Run(parse.GetValue(mode)!, plan, timeout);
            var outcome = await Run(parse.GetValue(mode)!, plan, timeout, parse.GetValue(measureFrom));
            Console.WriteLine("pipeline-result " + JsonSerializer.Serialize(outcome));
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return command;
    }

    /// <summary>The run with the median rate; a run that lost events is reported as it is (the worst).</summary>
    internal static Outcome Median(List<Outcome> runs) =>
        runs.FirstOrDefault(r => r.Delivered != runs.Max(x => x.Delivered)) ?? runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);

    /// <param name="CpuSeconds">Processor time of the whole run (start-up and shutdown included).</param>
    /// <param name="MeasuredFrom">Events delivered before the clock started: <see cref="Seconds"/> timed the others.</param>
    /// <param name="TimedCpuSeconds">Processor time while the clock ran.</param>
    public sealed record Outcome(long Delivered, long Sum, double Seconds, double PeakRssMb, double CpuSeconds = 0, long AllocatedBytes = 0,
        long MeasuredFrom = 0, double TimedCpuSeconds = 0)
    {
        public double Rate => Seconds > 0 ? (Delivered - MeasuredFrom) / Seconds : 0;

        /// <summary>Processor time per event while the clock ran, in microseconds: what a busy machine distorts least.</summary>
        public double TimedCpuMicrosecondsPerEvent => Delivered > MeasuredFrom ? TimedCpuSeconds * 1e6 / (Delivered - MeasuredFrom) : 0;

        public double CpuMicrosecondsPerEvent => Delivered > 0 ? CpuSeconds * 1e6 / Delivered : 0;

        public double AllocatedBytesPerEvent => Delivered > 0 ? (double)AllocatedBytes / Delivered : 0;

        public override string ToString() => MeasuredFrom == 0
            ? $"{Delivered} events in {Seconds:F3} s = {Rate:N0}/s"
            : $"{Delivered} events, the last {Delivered - MeasuredFrom} in {Seconds:F3} s = {Rate:N0}/s";
    }

    /// <summary>
    /// One engine run of the load test; with <paramref name="clusterNode"/>, as a one-node cluster (cluster mode on).
    /// The clock starts when the producer publishes event <paramref name="measureFrom"/> (0: its first).
    /// </summary>
    public static async Task<Outcome> RunEngine(LoadTestPlan plan, TimeSpan timeout, bool asyncOperator = false, bool clusterNode = false, long measureFrom = 0)
    {
        var result = new TaskCompletionSource<LoadTestResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new StartClock(measureFrom);
        var start = ProcessCost.Now();
        long finished = 0;
        var finishedCost = default(ProcessCost);
        Task? stamped = null;
        // The load test's plugins (EventEngine.Samples), with a producer that also notes when it starts publishing:
        // the engine's Started task completes on the thread pool, which may run it late on a busy 2-core machine.
        var run = await EngineRunner.RunAsync("pipeline", engine => (clusterNode ? engine.AddCluster() : engine)
                .AddPlugin<TimedProducer>("Producer", plan, clock)
                .AddPlugin(nameof(Operator), asyncOperator ? Props.Create(() => new AsyncOperator(plan)) : Props.Create(() => new Operator(plan)))
                .AddPlugin<Accumulator>(args: [plan, result]), timeout,
            extraConfig: clusterNode ? ClusterChild.LocalNodeHocon : "",
            onCreated: engine =>
            {
                if (clusterNode) ClusterChild.JoinSelf(engine.System);
                stamped = result.Task.ContinueWith(_ => (finished, finishedCost) = (Stopwatch.GetTimestamp(), ProcessCost.Now()), TaskContinuationOptions.ExecuteSynchronously);
            },
            configUnder: clusterNode ? EventEngineCluster.ReferenceConfig : null);
        // The result's continuations run asynchronously: on a busy machine the stamp may come after the engine completed.
        if (stamped is not null) await Task.WhenAny(stamped, Task.Delay(TimeSpan.FromSeconds(10)));
        var outcome = result.Task.IsCompletedSuccessfully ? result.Task.Result : new LoadTestResult(0, 0);
        var seconds = run.Completed && finished > clock.At ? Stopwatch.GetElapsedTime(clock.At, finished).TotalSeconds : 0;
        var cost = ProcessCost.Since(start);
        GC.Collect();
        return new Outcome(outcome.Delivered, outcome.Sum, seconds, BenchContext.PeakRssMb(), cost.Cpu.TotalSeconds, cost.Allocated, measureFrom,
            seconds > 0 ? (finishedCost.Cpu - clock.Cost.Cpu).TotalSeconds : 0);
    }

    /// <summary>When the first producer published event <see cref="From"/> (Stopwatch timestamp).</summary>
    public sealed class StartClock(long from = 0)
    {
        private long _at;

        /// <summary>The event whose publishing starts the clock.</summary>
        public long From => from;

        /// <summary>This process's processor time and allocations when the clock started.</summary>
        public ProcessCost Cost { get; private set; }

        public long At => Interlocked.Read(ref _at);

        public void Start()
        {
            var cost = ProcessCost.Now();
            if (Interlocked.CompareExchange(ref _at, Stopwatch.GetTimestamp(), 0) == 0) Cost = cost;
        }
    }

    /// <summary>The load test's <see cref="Producer"/>, starting the clock when it publishes event <see cref="StartClock.From"/>.</summary>
    public sealed class TimedProducer(LoadTestPlan plan, StartClock clock) : Actors.Plugins.EventPlugin
    {
        protected override async Task OnStartAsync()
        {
            var events = Enumerable.Range(plan.MinSize, plan.MaxSize - plan.MinSize + 1)
                .Select(size => new InitialMessage(new string('X', size))).ToArray();
            for (long i = 0; i < plan.Messages; i++)
            {
                if (i == clock.From) clock.Start();
                await PublishAsync(events[plan.SizeAt(i) - plan.MinSize]);
            }
            Finish();
        }
    }

    /// <summary>The load test's <see cref="Operator"/> with an async handler that yields once per event.</summary>
    public sealed class AsyncOperator : Actors.Plugins.EventPlugin
    {
        private long _seen;

        public AsyncOperator(LoadTestPlan plan) => Subscribe<InitialMessage>(async m =>
        {
            await Task.Yield();
            Publish(new OperatorMessage(m.Payload.Length));
            if (++_seen == plan.Messages) Finish();
        });
    }

    // ---------------------------------------------------------------- bare Akka

    public static async Task<Outcome> RunAkka(LoadTestPlan plan, TimeSpan timeout)
    {
        try
        {
            return await BareAkkaPipeline.RunAsync(plan, EngineRunner.Config(), timeout) is var (result, elapsed, _)
                ? new Outcome(result.Delivered, result.Sum, elapsed.TotalSeconds, BenchContext.PeakRssMb())
                : new Outcome(0, 0, 0, BenchContext.PeakRssMb());
        }
        finally
        {
            GC.Collect();
        }
    }

    // ---------------------------------------------------------------- bare NetMQ

    /// <summary>
    /// Producer PUB -> XSUB | draining forward loop | XPUB -> operator SUB/PUB -> XSUB | ... | XPUB -> accumulator SUB,
    /// all inproc, one thread per socket owner. High-water marks are unlimited so nothing is dropped (the run is bounded).
    /// The path is confirmed end to end with probe frames (payload length 0) before the measured stream starts.
    /// </summary>
    public static Outcome RunNetMq(LoadTestPlan plan, TimeSpan timeout)
    {
        if (plan.MinSize < 1) throw new ArgumentException("the NetMQ baseline uses empty payloads as probes: min-size must be >= 1");
        var id = Guid.NewGuid().ToString("N");
        var inAddress = $"inproc://bench-netmq-{id}-in";
        var outAddress = $"inproc://bench-netmq-{id}-out";
        var initial = Encoding.ASCII.GetBytes("InitialMsgString");
        var operatorFilter = Encoding.ASCII.GetBytes("OperatorMsg");
        using var cancel = new CancellationTokenSource(timeout);
        var token = cancel.Token;
        using var bound = new ManualResetEventSlim();
        using var pathConfirmed = new ManualResetEventSlim();
        long count = 0, sum = 0, first = 0, last = 0;

        var proxy = Worker(() =>
        {
            using var xsub = new XSubscriberSocket();
            using var xpub = new XPublisherSocket();
            foreach (var s in new NetMQSocket[] { xsub, xpub })
            {
                s.Options.SendHighWatermark = 0;
                s.Options.ReceiveHighWatermark = 0;
                s.Options.Linger = TimeSpan.Zero;
            }
            xsub.Bind(inAddress);
            xpub.Bind(outAddress);
            using var poller = new NetMQPoller { xsub, xpub };
            xsub.ReceiveReady += (_, _) =>
            {
                for (var i = 0; i < 4096 && xsub.TryReceiveFrameBytes(out var frame, out var more); i++) xpub.SendFrame(frame, more);
            };
            xpub.ReceiveReady += (_, _) =>
            {
                while (xpub.TryReceiveFrameBytes(out var subscription)) xsub.SendFrame(subscription);
            };
            using var stop = token.Register(() => poller.StopAsync());
            bound.Set();
            poller.Run();
        }, "netmq-proxy");

        var op = Worker(() =>
        {
            using var sub = new SubscriberSocket();
            using var pub = new PublisherSocket();
            sub.Options.ReceiveHighWatermark = 0;
            pub.Options.SendHighWatermark = 0;
            sub.Options.Linger = pub.Options.Linger = TimeSpan.Zero;
            sub.Connect(outAddress);
            sub.Subscribe(initial);
            pub.Connect(inAddress);
            var reply = new byte[operatorFilter.Length + 20];
            operatorFilter.CopyTo(reply, 0);
            while (!token.IsCancellationRequested)
            {
                if (!sub.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(50), out var frame)) continue;
                Utf8Formatter.TryFormat(frame.Length - initial.Length, reply.AsSpan(operatorFilter.Length), out var written);
                pub.SendFrame(reply, operatorFilter.Length + written);
            }
        }, "netmq-operator");

        var accumulator = Worker(() =>
        {
            using var sub = new SubscriberSocket();
            sub.Options.ReceiveHighWatermark = 0;
            sub.Options.Linger = TimeSpan.Zero;
            sub.Connect(outAddress);
            sub.Subscribe(operatorFilter);
            while (!token.IsCancellationRequested)
            {
                if (!sub.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(50), out var frame)) continue;
                Utf8Parser.TryParse(frame.AsSpan(operatorFilter.Length), out long k, out _);
                if (k == 0)
                {
                    pathConfirmed.Set();
                    continue;
                }
                sum += k;
                if (++count == plan.Messages)
                {
                    last = Stopwatch.GetTimestamp();
                    cancel.Cancel();
                }
            }
        }, "netmq-accumulator");

        var producer = Worker(() =>
        {
            using var pub = new PublisherSocket();
            pub.Options.SendHighWatermark = 0;
            pub.Options.Linger = TimeSpan.Zero;
            pub.Connect(inAddress);
            var frames = Enumerable.Range(plan.MinSize, plan.MaxSize - plan.MinSize + 1)
                .Select(size => initial.Concat(Enumerable.Repeat((byte)'X', size)).ToArray()).ToArray();
            while (!pathConfirmed.Wait(5) && !token.IsCancellationRequested) pub.SendFrame(initial); // probes until one came back through the operator
            first = Stopwatch.GetTimestamp();
            for (long i = 0; i < plan.Messages && !token.IsCancellationRequested; i++) pub.SendFrame(frames[plan.SizeAt(i) - plan.MinSize]);
            token.WaitHandle.WaitOne(); // keep the socket until the end (linger 0 would drop what is queued)
        }, "netmq-producer");

        proxy.Start();
        bound.Wait(timeout);
        op.Start();
        accumulator.Start();
        try
        {
            producer.Start();
        }
        finally
        {
            foreach (var thread in new[] { producer, accumulator, op, proxy }) thread.Join(timeout + TimeSpan.FromSeconds(5));
        }
        var seconds = last > first && first > 0 ? Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0;
        return new Outcome(count, sum, seconds, BenchContext.PeakRssMb());
    }

    private static Thread Worker(Action body, string name) => new(() =>
    {
        try
        {
            body();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // the run was cut short
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench: {name} failed: {e}");
        }
    }) { IsBackground = true, Name = name };
}
