using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace EventEngine.Samples.LoadTest;

/// <summary>
/// The load test's baseline: the same three stages as bare Akka.NET actors on the engine's plugin dispatcher, the same
/// immutable event records, one <c>Tell</c> per hop, no flow control (the producer sends 1000 events per message it
/// handles, so the others get the cores too). Used by the load test (<c>--bare-akka</c>) and the benchmarks.
/// </summary>
public static class BareAkkaPipeline
{
    /// <summary>
    /// Runs <paramref name="plan"/> in a new ActorSystem configured with <paramref name="config"/> (the engine's reference
    /// configuration as fallback). Returns what the accumulator saw, the time from the first event sent to its last
    /// event and the process's CPU time over the same span; null when it did not finish within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(LoadTestResult Result, TimeSpan Elapsed, TimeSpan Cpu)?> RunAsync(LoadTestPlan plan, Config config, TimeSpan timeout)
    {
        var system = ActorSystem.Create("pipeline-akka", config.WithFallback(Actors.EventEngine.ReferenceConfig));
        try
        {
            var done = new TaskCompletionSource<(long Count, long Sum, long At, TimeSpan Cpu)>(TaskCreationOptions.RunContinuationsAsynchronously);
            const string dispatcher = "event-engine.dispatchers.plugins";
            var accumulator = system.ActorOf(Props.Create(() => new Accumulator(plan.Messages, done)).WithDispatcher(dispatcher));
            var op = system.ActorOf(Props.Create(() => new Operator(accumulator)).WithDispatcher(dispatcher));
            var producer = system.ActorOf(Props.Create(() => new Producer(plan, op)).WithDispatcher(dispatcher));
            var started = Stopwatch.GetTimestamp();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            producer.Tell(Producer.Go.Instance);
            if (await Task.WhenAny(done.Task, Task.Delay(timeout)) != done.Task) return null;
            var (count, sum, at, cpuAtEnd) = done.Task.Result;
            return (new LoadTestResult(count, sum), Stopwatch.GetElapsedTime(started, at), cpuAtEnd - cpu);
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
            await Task.WhenAny(system.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(10)));
        }
    }

    private sealed class Producer : ReceiveActor
    {
        public Producer(LoadTestPlan plan, IActorRef op)
        {
            var events = Enumerable.Range(plan.MinSize, plan.MaxSize - plan.MinSize + 1)
                .Select(size => new InitialMessage(new string('X', size))).ToArray();
            long i = 0;
            Receive<Go>(_ =>
            {
                var end = Math.Min(plan.Messages, i + 1000);
                for (; i < end; i++) op.Tell(events[plan.SizeAt(i) - plan.MinSize], ActorRefs.NoSender);
                if (i < plan.Messages) Self.Tell(Go.Instance);
            });
        }

        public sealed class Go
        {
            public static readonly Go Instance = new();
        }
    }

    private sealed class Operator : ReceiveActor
    {
        public Operator(IActorRef accumulator) =>
            Receive<InitialMessage>(m => accumulator.Tell(new OperatorMessage(m.Payload.Length), ActorRefs.NoSender));
    }

    private sealed class Accumulator : ReceiveActor
    {
        public Accumulator(long expected, TaskCompletionSource<(long, long, long, TimeSpan)> done)
        {
            long count = 0, sum = 0;
            Receive<OperatorMessage>(m =>
            {
                sum += m.Length;
                if (++count == expected) done.TrySetResult((count, sum, Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime));
            });
        }
    }
}
