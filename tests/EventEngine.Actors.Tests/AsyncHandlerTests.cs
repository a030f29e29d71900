using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

public class AsyncHandlerTests : Akka.TestKit.Xunit2.TestKit
{
    public AsyncHandlerTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 1000, within = 1m }
        event-engine.flow-control { high-water-mark = 10, low-water-mark = 5 }
        """)) { }

    /// <summary>The crash: an async handler that awaits, then publishes, logs, uses timers, Self and Finish.</summary>
    private sealed class AwaitingWorker : EventPlugin
    {
        public AwaitingWorker(IActorRef probe, int last, ConcurrentQueue<string> trace)
        {
            Subscribe<Ping>(async p =>
            {
                trace.Enqueue($"start {p.N}");
                await Task.Yield();
                await Task.Delay(p.N % 3);
                trace.Enqueue($"end {p.N}");
                Publish(new Alpha($"done {p.N}"));
                Log.Debug("handled {0}", p.N);
                Timers.StartSingleTimer("t" + p.N, "tick", TimeSpan.FromHours(1));
                probe.Tell(Self.Path.Name);
                if (p.N == last) Finish();
            });
        }
    }

    private sealed class FlakyAfterAwait : EventPlugin
    {
        private readonly IActorRef _probe;

        public FlakyAfterAwait(IActorRef probe)
        {
            _probe = probe;
            Subscribe<Ping>(async (p, token) =>
            {
                await Task.Delay(1, token);
                if (p.N % 10 == 0) throw new InvalidOperationException($"poison {p.N}");
                probe.Tell(p.N);
            });
        }

        protected override void PostRestart(Exception reason)
        {
            base.PostRestart(reason);
            _probe.Tell("restarted");
        }
    }

    private sealed class AsyncVoidSubscriber : EventPlugin
    {
        public AsyncVoidSubscriber(IActorRef probe)
        {
            Action<Ping> typed = async _ => await Task.Yield();
            Action<Events.RawEvent> raw = async _ => await Task.Yield();
            Action<string> message = async _ => await Task.Yield();
            Action<object> any = async _ => await Task.Yield();
            Try(() => Subscribe(typed));
            Try(() => SubscribeRaw("raw", raw));
            Try(() => Receive(message));
            Try(() => ReceiveAny(any));
            Try(() => Subscribe<Ping>(async _ => await Task.Yield())); // an async lambda takes the Task overload: accepted
            probe.Tell("constructed");

            void Try(Action subscribe)
            {
                try
                {
                    subscribe();
                    probe.Tell("accepted");
                }
                catch (ArgumentException e)
                {
                    probe.Tell(e.Message);
                }
            }
        }
    }

    /// <summary>Holds every event until the test opens the gate.</summary>
    private sealed class Gated : EventPlugin
    {
        public Gated(Task gate, StrongBox<int> handled)
        {
            Subscribe<Ping>(async _ =>
            {
                await gate;
                Interlocked.Increment(ref handled.Value);
            });
        }
    }

    private sealed class Producer : EventPlugin
    {
        private readonly int _count;
        private readonly StrongBox<int> _published;

        public Producer(int count, StrongBox<int> published)
        {
            _count = count;
            _published = published;
        }

        protected override async Task OnStartAsync(CancellationToken cancellationToken)
        {
            for (var i = 1; i <= _count; i++)
            {
                await PublishAsync(new Ping(i));
                Interlocked.Increment(ref _published.Value);
            }
        }
    }

    private sealed class WaitsForever : EventPlugin
    {
        public WaitsForever(TaskCompletionSource waiting, TaskCompletionSource cancelled)
        {
            Subscribe<Ping>(async (_, token) =>
            {
                waiting.TrySetResult();
                await Task.Delay(Timeout.Infinite, token).ContinueWith(t => { if (t.IsCanceled) cancelled.TrySetResult(); }, TaskScheduler.Default);
            });
        }
    }

    /// <summary>Tells the probe when its async handler starts and ends, and each other message it takes.</summary>
    private sealed class GatedWithMail : EventPlugin
    {
        public GatedWithMail(Task gate, IActorRef probe)
        {
            Subscribe<Ping>(async p =>
            {
                probe.Tell($"start {p.N}");
                await gate;
                probe.Tell($"end {p.N}");
            });
            Receive<string>(s => probe.Tell($"receive {s}"));
            ReceiveAny(m => probe.Tell($"receive any {m}"));
        }
    }

    /// <summary>Its async handler awaits the gate, finishes the plugin, then awaits its token (cancelled by the stop).</summary>
    private sealed class FinishesWhenOpened : EventPlugin
    {
        public FinishesWhenOpened(Task gate) => Subscribe<Ping>(async (_, token) =>
        {
            await gate;
            Finish();
            await Task.Delay(Timeout.Infinite, token);
        });
    }

    /// <summary>Publishes an <see cref="Alpha"/> for each <see cref="Ping"/> from its handler, typed or as a raw frame.</summary>
    private sealed class AlphaRelay : EventPlugin
    {
        public AlphaRelay(bool raw) => Subscribe<Ping>(p =>
        {
            if (raw) PublishRaw(Engine.Events.Get<Alpha>().Encode(new Alpha($"{p.N}")));
            else Publish(new Alpha($"{p.N}"));
        });
    }

    private sealed class GatedAlphas : EventPlugin
    {
        public GatedAlphas(Task gate, StrongBox<int> handled) => Subscribe<Alpha>(async _ =>
        {
            await gate;
            Interlocked.Increment(ref handled.Value);
        });
    }

    [Fact]
    public async Task An_async_handler_handles_events_one_at_a_time_in_order_and_the_actor_context_is_valid_after_its_awaits()
    {
        var probe = CreateTestProbe();
        var alphas = CreateTestProbe();
        var trace = new ConcurrentQueue<string>();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<AwaitingWorker>("worker", probe.Ref, 30, trace)
            .AddPlugin<Recorder>("alphas", alphas.Ref, new[] { typeof(Alpha) }, null!)
            .AddPlugin<Publisher>("source", Enumerable.Range(1, 30).Select(n => (object)new Ping(n)).ToArray(), true));
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.PluginSaidFinished += name => { if (name == "worker") finished.TrySetResult(name); }; // before the barrier passes: no event has flowed yet
        for (var n = 1; n <= 30; n++) alphas.ExpectMsg(new Alpha($"done {n}"), TimeSpan.FromSeconds(20));
        for (var n = 1; n <= 30; n++) probe.ExpectMsg("worker");
        Assert.Equal(Enumerable.Range(1, 30).SelectMany(n => new[] { $"start {n}", $"end {n}" }), trace);
        Assert.Equal("worker", await finished.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private Task<IActorRef> PluginRef(string name) =>
        Sys.ActorSelection($"/system/event-engine/event-engine-plugins/{name}").ResolveOne(TimeSpan.FromSeconds(10));

    [Fact]
    public void An_exception_after_an_await_is_a_poison_event_the_plugin_restarts_and_handles_the_rest()
    {
        var probe = CreateTestProbe();
        using var metrics = new MetricsRecorder(); // before the start: the source produces from its start hook
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<FlakyAfterAwait>("flaky", probe.Ref)
            .AddPlugin<Producer>("source", 50, new StrongBox<int>()));
        metrics.Watch(engine);
        var handled = new List<int>();
        var restarts = 0;
        probe.ReceiveWhile(TimeSpan.FromSeconds(30), m =>
        {
            if (m is int n) handled.Add(n);
            else restarts++;
            return m;
        }, msgs: 50);
        Assert.Equal(Enumerable.Range(1, 50).Where(n => n % 10 != 0), handled);
        Assert.Equal(5, restarts);
        AwaitAssert(() => Assert.Equal(5, metrics.Sum("event_engine.events.poison", "plugin", "flaky")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void An_async_void_handler_is_refused_at_subscribe_with_a_message_naming_the_async_overload()
    {
        var probe = CreateTestProbe();
        EventEngine.Start(Sys, e => e.AddPlugin<AsyncVoidSubscriber>("voids", probe.Ref));
        var typed = probe.ExpectMsg<string>();
        Assert.Contains("Plugin voids: Subscribe<Ping>: the handler is an async void method", typed);
        Assert.Contains("Func<..., Task>", typed);
        Assert.Contains("SubscribeRaw(\"raw\"): the handler is an async void method", probe.ExpectMsg<string>());
        Assert.Contains("Receive<String> (use ReceiveAsync): the handler is an async void method", probe.ExpectMsg<string>());
        Assert.Contains("Plugin voids: ReceiveAny (use ReceiveAnyAsync): the handler is an async void method", probe.ExpectMsg<string>());
        probe.ExpectMsg("accepted");
        probe.ExpectMsg("constructed");
    }

    [Fact]
    public async Task The_credit_of_an_event_returns_when_its_async_handler_completes_so_a_slow_async_plugin_pauses_the_producer()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new StrongBox<int>();
        var published = new StrongBox<int>();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<Gated>("slow", gate.Task, handled)
            .AddPlugin<Producer>("source", 1000, published));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var window = engine.PluginStateOf(await PluginRef("source")).Credit;
        // The first handler awaits the gate and holds its credit: the producer is paused at its high-water mark (10).
        await AwaitConditionAsync(() => Task.FromResult(!window.HasRoom), TimeSpan.FromSeconds(20));
        Assert.InRange(Volatile.Read(ref published.Value), 9, 10);
        Assert.Equal(10, window.InFlight);
        Assert.Equal(0, Volatile.Read(ref handled.Value));
        gate.SetResult();
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref handled.Value) == 1000), TimeSpan.FromSeconds(30));
        Assert.Equal(1000, Volatile.Read(ref published.Value));
    }

    [Fact]
    public async Task Other_messages_wait_while_an_async_handler_runs_and_are_taken_in_order_after_it()
    {
        var probe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<GatedWithMail>("mail", gate.Task, probe.Ref));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var plugin = await PluginRef("mail");
        plugin.Tell("before"); // no handler runs: taken at once, by Receive<string> and ReceiveAny
        probe.ExpectMsg("receive before");
        plugin.Tell(42);
        probe.ExpectMsg("receive any 42");
        engine.Publish(new Ping(1));
        probe.ExpectMsg("start 1", TimeSpan.FromSeconds(20));
        plugin.Tell("during");
        plugin.Tell(43);
        gate.SetResult(); // the handler's continuation is mailed after both messages, yet runs before them
        probe.ExpectMsg("end 1", TimeSpan.FromSeconds(20));
        probe.ExpectMsg("receive during");
        probe.ExpectMsg("receive any 43");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task What_a_handler_publishes_counts_against_the_window_of_the_events_source_so_a_slow_plugin_behind_a_relay_pauses_the_producer(bool raw)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new StrongBox<int>();
        var published = new StrongBox<int>();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<Producer>("source", 100, published)
            .AddPlugin<AlphaRelay>("relay", raw)
            .AddPlugin<GatedAlphas>("slow", gate.Task, handled));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var window = engine.PluginStateOf(await PluginRef("source")).Credit;
        // The relay handles every Ping at once, but each Alpha it publishes waits at the gate with the credit of the
        // source's Ping: the source stays paused at its high-water mark (10) instead of running through all 100.
        await Wait.Until(() => Volatile.Read(ref published.Value) >= 9, () => $"the source to publish ({published.Value})");
        await Wait.UntilStable(() => Volatile.Read(ref published.Value), "the source's publications", TimeSpan.FromMilliseconds(500));
        Assert.InRange(Volatile.Read(ref published.Value), 9, 10);
        Assert.InRange(window.InFlight, 9, 10);
        gate.SetResult();
        await Wait.Until(() => Volatile.Read(ref handled.Value) == 100, () => $"the slow plugin to handle 100 Alphas ({handled.Value})");
        await Wait.Until(() => window.InFlight == 0, () => $"the source's window to empty ({window.InFlight} in flight)");
    }

    [Fact]
    public async Task A_plugin_that_finishes_while_events_wait_for_its_async_handler_stops_and_their_credits_go_back_to_the_source()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = new StrongBox<int>();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<FinishesWhenOpened>("finisher", gate.Task)
            .AddPlugin<Producer>("source", 5, published));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        var finisher = await PluginRef("finisher");
        var state = engine.PluginStateOf(finisher);
        var window = engine.PluginStateOf(await PluginRef("source")).Credit;
        Watch(finisher);
        // Ping 1 is in the handler, Pings 2-5 wait for it, each holding a credit of the source's window.
        await Wait.Until(() => Volatile.Read(ref published.Value) == 5 && window.InFlight == 5, () => $"5 Pings in flight ({window.InFlight})");
        gate.SetResult();
        ExpectTerminated(finisher, TimeSpan.FromSeconds(20));
        Assert.True(state.Finished);
        await Wait.Until(() => window.InFlight == 0, () => $"the credits of the Pings the finished plugin never handled to go back ({window.InFlight} in flight)");
    }

    [Fact]
    public async Task The_token_of_an_async_handler_is_cancelled_at_shutdown()
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<WaitsForever>("waiter", waiting, cancelled));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        engine.Publish(new Ping(1));
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(20));
        _ = CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}

public class ConcurrentAsyncHandlerTests : Akka.TestKit.Xunit2.TestKit
{
    public ConcurrentAsyncHandlerTests() : base(TestConfig.Engine("""
        event-engine.supervision { max-restarts = 1000, within = 1m }
        event-engine.plugins.io.max-concurrency = 4
        """)) { }

    private sealed class IoBound : EventPlugin
    {
        public IoBound(IActorRef probe, ConcurrentQueue<int> started)
        {
            var running = 0;
            var most = 0;
            Subscribe<Ping>(async p =>
            {
                started.Enqueue(p.N);
                most = Math.Max(most, ++running); // between awaits the code runs inside the actor: no race
                await Task.Delay(20);
                running--;
                if (p.N == 13) throw new InvalidOperationException("poison 13");
                Publish(new Alpha($"{p.N}"));
                probe.Tell(most);
            });
        }
    }

    [Fact]
    public async Task With_max_concurrency_4_up_to_4_async_handlers_run_at_once_start_in_order_and_a_failure_is_poison()
    {
        var probe = CreateTestProbe();
        var alphas = CreateTestProbe();
        var started = new ConcurrentQueue<int>();
        var engine = EventEngine.Start(Sys, e => e
            .AddPlugin<IoBound>("io", probe.Ref, started)
            .AddPlugin<Recorder>("alphas", alphas.Ref, new[] { typeof(Alpha) }, null!));
        using var metrics = new MetricsRecorder(engine);
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        for (var i = 1; i <= 40; i++) engine.Publish(new Ping(i));
        var alphaTexts = alphas.ReceiveN(39, TimeSpan.FromSeconds(30)).Cast<Alpha>().Select(a => int.Parse(a.Text)).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Where(n => n != 13), alphaTexts.Order());
        var most = probe.ReceiveN(39, TimeSpan.FromSeconds(10)).Cast<int>().Max();
        Assert.InRange(most, 2, 4);
        Assert.Equal(Enumerable.Range(1, 40), started.Order()); // each event started once: none lost in the stash or the restart
        Assert.Equal(Enumerable.Range(1, 13), started.Take(13)); // before the failure, handlers started in arrival order
        AwaitAssert(() => Assert.Equal(1, metrics.Sum("event_engine.events.poison", "plugin", "io")), TimeSpan.FromSeconds(10));
    }
}
