using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using EventEngine.Actors.Cluster;
using EventEngine.Actors.Cluster.Links;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Benchmarks.Infrastructure;
using NetMQ;

namespace EventEngine.Benchmarks.Scenarios;

/// <summary>The cluster scenario's event: a sequence number (the consumer checks the order) and 100 bytes of text.</summary>
public sealed record CrossNodeEvent(long Seq, string Text)
{
    /// <summary>Its type, codec included (MessagePack), for the bare Akka.Remote baseline that encodes and decodes the same bytes.</summary>
    public static readonly EventType<CrossNodeEvent> Type = EventType.Create<CrossNodeEvent>();

    /// <summary>The text every event carries.</summary>
    public static readonly string Padding = new('x', 100);
}

/// <summary>
/// What the consuming process saw: events received, whether every one came in order, the first that did not, and the
/// processor time it used and the bytes it allocated from the warm-up mark to the last event (all its threads: the
/// figures a busy machine distorts least).
/// </summary>
public sealed record CrossNodeOutcome(long Received, bool InOrder, string? FirstError, double CpuMs, long AllocatedBytes);

/// <summary>
/// Counts the events one actor receives and checks their order; prints <c>cluster-at N</c> when the warm-up mark is
/// reached (the producer starts its clock then) and completes <see cref="Done"/> at the total.
/// </summary>
public sealed class OrderTally(long total, long mark)
{
    private long _next;
    private string? _error;
    private ProcessCost _atMark;
    private ProcessCost _spent;

    public long Received { get; private set; }

    public long Mark => mark;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CrossNodeOutcome Outcome => new(Received, _error is null, _error, _spent.Cpu.TotalMilliseconds, _spent.Allocated);

    public void See(long seq)
    {
        if (seq != _next) _error ??= $"event {_next} expected, {seq} arrived";
        _next = seq + 1;
        if (++Received == mark)
        {
            _atMark = ProcessCost.Now();
            Console.WriteLine($"cluster-at {mark}");
        }
        if (Received == total)
        {
            _spent = ProcessCost.Since(_atMark);
            Done.TrySetResult();
        }
    }
}

/// <summary>The consumer on the other node: one plugin subscribed to <see cref="CrossNodeEvent"/>.</summary>
public sealed class CrossNodeConsumer : EventPlugin
{
    public CrossNodeConsumer(OrderTally tally) => Subscribe<CrossNodeEvent>(e => tally.See(e.Seq));
}

/// <summary>
/// The consuming process of the cluster scenario: the hidden <c>cluster-child</c> sub-command. <c>--mode engine</c>:
/// an engine node that joins <c>--seed</c>; <c>--mode akka</c>: a bare Akka.Remote actor system with one receiver
/// actor. Prints <c>cluster-ready</c> (with its address in akka mode), <c>cluster-at</c>, then <c>cluster-result {json}</c>.
/// </summary>
public static class ClusterChild
{
    /// <summary>The actor system of both engine nodes.</summary>
    public const string SystemName = "bench-cluster";

    /// <summary>The bare receiver acknowledges every this many events (a link's batch holds up to 512).</summary>
    public const int AckEvery = 500;

    /// <summary>A one-node cluster on loopback for the local runs with cluster mode on.</summary>
    public const string LocalNodeHocon = """
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.log-info = off
        """;

    /// <summary>An engine node of the cross-node runs: two nodes, no wire, runs until stopped; <paramref name="extra"/> over it (--cluster-config).</summary>
    public static Config NodeConfig(string extra) => EngineRunner.Config($"""
        {LocalNodeHocon}
        event-engine {"{"} run-mode = service, wire.enabled = off, cluster.min-nodes = 2 {"}"}
        {extra}
        """, EventEngineCluster.ReferenceConfig);

    /// <summary>Bare Akka.Remote with the links' serializer bound, as on an engine node.</summary>
    public static Config RemoteConfig() => ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = remote
          remote.dot-netty.tcp.port = 0
        }
        """).WithFallback(EventEngineCluster.ReferenceConfig);

    public static void JoinSelf(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
    }

    public static Command Command()
    {
        var mode = new Option<string>("--mode") { Required = true };
        var seed = new Option<string?>("--seed");
        var events = new Option<long>("--events") { Required = true };
        var mark = new Option<long>("--mark") { Required = true };
        var timeout = new Option<int>("--timeout") { DefaultValueFactory = _ => 300 };
        var config = new Option<string>("--config") { DefaultValueFactory = _ => "" };
        var command = new Command("cluster-child", "The consuming node of the cluster scenario (used by it)") { mode, seed, events, mark, timeout, config };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            var tally = new OrderTally(parse.GetValue(events), parse.GetValue(mark));
            var wait = TimeSpan.FromSeconds(parse.GetValue(timeout));
            var system = parse.GetValue(mode) == "akka" ? StartBare(tally) : await StartNode(tally, Address.Parse(parse.GetValue(seed)!), parse.GetValue(config)!, wait);
            try
            {
                await tally.Done.Task.WaitAsync(wait);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"bench: cluster-child: {tally.Received} of {parse.GetValue(events)} events within {wait}");
            }
            Console.WriteLine("cluster-result " + JsonSerializer.Serialize(tally.Outcome));
            await EngineRunner.Terminate(system);
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return command;
    }

    private static async Task<ActorSystem> StartNode(OrderTally tally, Address seed, string config, TimeSpan timeout)
    {
        var system = ActorSystem.Create(SystemName, NodeConfig(config));
        var engine = Actors.EventEngine.Start(system, e => e.AddCluster().AddPlugin<CrossNodeConsumer>(tally));
        Akka.Cluster.Cluster.Get(system).Join(seed);
        await engine.Started.WaitAsync(timeout);
        Console.WriteLine("cluster-ready");
        return system;
    }

    private static ActorSystem StartBare(OrderTally tally)
    {
        var system = ActorSystem.Create("bench-akka", RemoteConfig());
        system.ActorOf(Props.Create(() => new BareReceiver(tally)), "receiver");
        Console.WriteLine($"cluster-ready {((ExtendedActorSystem)system).Provider.DefaultAddress}");
        return system;
    }

    /// <summary>The baseline's consumer: decodes each event, checks its order, acknowledges every <see cref="AckEvery"/>.</summary>
    private sealed class BareReceiver : ReceiveActor
    {
        public BareReceiver(OrderTally tally) => Receive<NodeBatch>(batch =>
        {
            foreach (var frame in batch.Frames) tally.See(CrossNodeEvent.Type.Decode(frame).Seq);
            if (tally.Received % AckEvery == 0 || tally.Received == tally.Mark || tally.Done.Task.IsCompleted) Sender.Tell(new NodeAck(batch.Sequence));
        });
    }
}
