using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using EventEngine.Actors.Hosting;
using EventEngine.Actors.HostAccess;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventEngine.Actors.Cluster.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task Two_generic_hosts_with_WithEventEngineCluster_share_one_event_space_on_loopback()
    {
        using var first = StartHost();
        using var second = StartHost();
        await first.StartAsync();
        await second.StartAsync();
        try
        {
            var (firstSystem, secondSystem) = (first.Services.GetRequiredService<ActorSystem>(), second.Services.GetRequiredService<ActorSystem>());
            var firstAddress = Akka.Cluster.Cluster.Get(firstSystem).SelfAddress;
            Assert.Equal("127.0.0.1", firstAddress.Host); // Akka.Remote on loopback unless told otherwise
            await Akka.Cluster.Cluster.Get(firstSystem).JoinAsync(firstAddress);
            await Akka.Cluster.Cluster.Get(secondSystem).JoinAsync(firstAddress);

            await using var received = await second.Services.GetRequiredService<IEventSubscriber>().SubscribeAsync<TypeY>();
            await InProcessCluster.UntilLinkedAsync<TypeY>(EventEngine.Of(firstSystem), nodes: 1);
            await first.Services.GetRequiredService<IEventPublisher>().PublishAsync(new TypeY(0, "first host"));

            await CrossNodeRoutingTests.ExpectInOrder(received, 1, "the second host's subscription");
        }
        finally
        {
            await Task.WhenAll(first.StopAsync(), second.StopAsync());
        }
    }

    private static IHost StartHost() => new HostBuilder()
        .ConfigureServices(services => services
            .AddEventEngineServices()
            .AddAkka("events", akka => akka
                .AddHocon("akka.loglevel = WARNING\nakka.cluster.gossip-interval = 200ms\nakka.cluster.distributed-data.gossip-interval = 200ms", HoconAddMode.Prepend)
                .WithRemoting(new RemoteOptions { Port = 0 })
                .WithClustering()
                .WithEventEngineCluster("event-engine.cluster.link.linger = 1ms")
                .WithEventEngine(new EventEngineOptions { Wire = false }, (_, _) => { })))
        .Build();
}
