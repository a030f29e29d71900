using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Hosting;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.HostAccess;
using EventEngine.Actors.Hosting;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventEngine.Actors.Tests;

public class HostAccessTests : Akka.TestKit.Xunit2.TestKit
{
    public HostAccessTests() : base(TestConfig.Engine("""
        event-engine.wire.enabled = off
        event-engine.flow-control { high-water-mark = 10, low-water-mark = 5 }
        """)) { }

    private sealed class Gated : EventPlugin
    {
        public Gated(Task gate, StrongBox<long> sum) => Subscribe<Ping>(async p =>
        {
            await gate;
            sum.Value += p.N;
        });
    }

    private sealed class Producer(int count, Task go) : EventPlugin
    {
        protected override async Task OnStartAsync(CancellationToken cancellationToken)
        {
            await go;
            for (var i = 1; i <= count; i++) await PublishAsync(new Ping(i));
        }
    }

    [Fact]
    public async Task IEventPublisher_is_paused_by_a_slow_plugin_and_never_buffers_beyond_the_window()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sum = new StrongBox<long>();
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<Gated>("slow", gate.Task, sum));
        await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));
        IEventPublisher publisher = engine.Publisher;
        var published = 0;
        var publishing = Task.Run(async () =>
        {
            for (var i = 1; i <= 1000; i++)
            {
                await publisher.PublishAsync(new Ping(i));
                Interlocked.Increment(ref published);
            }
        });
        await AwaitConditionAsync(() => Task.FromResult(!engine.HostCredit.HasRoom), TimeSpan.FromSeconds(20));
        Assert.Equal(10, engine.HostCredit.InFlight);
        Assert.InRange(Volatile.Read(ref published), 10, 10); // the caller waits for room: nothing beyond the window
        Assert.False(publishing.IsCompleted);

        using var cancelled = new CancellationTokenSource();
        var waiting = publisher.PublishAsync(new Ping(-1), cancelled.Token).AsTask();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting); // cancelled while paused: not published

        gate.SetResult();
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        await AwaitConditionAsync(() => Task.FromResult(engine.HostCredit.InFlight == 0), TimeSpan.FromSeconds(20));
        Assert.Equal(1000L * 1001 / 2, sum.Value);
    }

    [Fact]
    public async Task A_slow_IAsyncEnumerable_reader_pauses_the_producer_and_loses_nothing()
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = EventEngine.Start(Sys, e => e.AddPlugin<Producer>("producer", 1000, go.Task));
        await using var subscription = await engine.Subscriber.SubscribeAsync<Ping>().WaitAsync(TimeSpan.FromSeconds(20));
        go.SetResult(); // the subscription is active: every event from now on is in it
        var producer = await Sys.ActorSelection("/system/event-engine/event-engine-plugins/producer").ResolveOne(TimeSpan.FromSeconds(10));
        var window = engine.PluginStateOf(producer).Credit;
        var reader = subscription.GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, reader.Current.N);
        // The reader holds its first event and reads no further: the producer fills its window and waits.
        await AwaitConditionAsync(() => Task.FromResult(!window.HasRoom), TimeSpan.FromSeconds(20));
        Assert.InRange(subscription.Pending, 1, 10);
        var seen = new List<int> { 1 };
        while (seen[^1] != 1000 && await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20))) seen.Add(reader.Current.N);
        Assert.Equal(Enumerable.Range(1, 1000), seen); // in order, none lost
        await reader.DisposeAsync();
    }
}

public class HostedAccessTests
{
    private sealed class Echo : EventPlugin
    {
        public Echo() => Subscribe<Ping>(async p =>
        {
            await Task.Yield();
            Publish(new Alpha($"echo {p.N}"));
        });
    }

    [Fact]
    public async Task Under_a_generic_host_the_engine_publisher_and_subscriber_are_services_options_bind_from_IConfiguration_and_it_runs_as_a_service()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventEngine:Wire"] = "false",
            ["EventEngine:HighWaterMark"] = "123",
            ["EventEngine:LowWaterMark"] = "45",
        }).Build();
        var options = configuration.GetSection("EventEngine").Get<EventEngineOptions>();
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureServices(services => services
                .AddEventEngineServices()
                .AddAkka("hosted-access", akka => akka.WithEventEngine(options, (engine, _) => engine.AddPlugin<Echo>())))
            .Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            var engine = host.Services.GetRequiredService<EventEngine>();
            Assert.Same(engine, EventEngine.Of(host.Services.GetRequiredService<ActorSystem>()));
            Assert.Equal(RunMode.Service, engine.Settings.RunMode);
            Assert.Equal(new FlowControlSettings(true, 123, 45), engine.Settings.FlowControl);
            Assert.False(engine.Settings.Wire.Enabled);
            Assert.Equal(engine.Supervisor, host.Services.GetRequiredService<ActorRegistry>().Get<EventEngine>());
            await engine.Started.WaitAsync(TimeSpan.FromSeconds(20));

            await using var echoes = await host.Services.GetRequiredService<IEventSubscriber>().SubscribeAsync<Alpha>();
            var publisher = host.Services.GetRequiredService<IEventPublisher>();
            for (var i = 1; i <= 3; i++) await publisher.PublishAsync(new Ping(i));
            var received = new List<string>();
            await foreach (var echo in echoes.WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
            {
                received.Add(echo.Text);
                if (received.Count == 3) break;
            }
            Assert.Equal(new[] { "echo 1", "echo 2", "echo 3" }, received);
        }
        finally
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
