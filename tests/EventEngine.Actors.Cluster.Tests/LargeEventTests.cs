using Akka.Event;

namespace EventEngine.Actors.Cluster.Tests;

/// <summary>An event larger than <c>link.max-event-size</c> is refused for other nodes, counted and named; local subscribers still get it.</summary>
public sealed class LargeEventTests
{
    private const int Limit = 1024;

    [Fact]
    public async Task An_event_larger_than_the_links_limit_is_dropped_for_other_nodes_counted_and_logged_with_its_size_and_the_limit()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, (_, _) => { }, $"event-engine.cluster.link.max-event-size = {Limit}b");
        var (publisher, remote) = (cluster[0], cluster[1]);
        using var dropped = new DropCounter(publisher);
        var log = LogCapture.Attach(publisher.System);
        await using var local = await publisher.Subscriber.SubscribeAsync<TypeX>();
        await using var elsewhere = await remote.Subscriber.SubscribeAsync<TypeX>();
        await InProcessCluster.UntilLinkedAsync<TypeX>(publisher, nodes: 1);

        var large = new TypeX(1, new string('x', 2 * Limit));
        var size = publisher.Events.Get<TypeX>().Encode(large).Length;
        await publisher.Publisher.PublishAsync(new TypeX(0));
        await publisher.Publisher.PublishAsync(large);
        await publisher.Publisher.PublishAsync(new TypeX(2));

        // the local subscriber gets all three; the other node gets the two that fit, in order, and the link goes on
        await CrossNodeRoutingTests.ExpectInOrder(local, 3, "the local subscriber");
        await using (var remoteEvents = elsewhere.GetAsyncEnumerator())
        {
            foreach (var expected in new[] { 0, 2 })
            {
                Assert.True(await remoteEvents.MoveNextAsync().AsTask().WaitAsync(Wait.Long), "the other node's subscription ended");
                Assert.Equal(expected, remoteEvents.Current.N);
            }
        }
        Assert.Equal(0, elsewhere.Pending);
        Assert.Equal(1, dropped.Of("too-large-for-link"));
        await Wait.Until(() => log.Contains($"A TypeX event of {size} bytes is larger than event-engine.cluster.link.max-event-size ({Limit} bytes)", LogLevel.ErrorLevel),
            () => $"the error naming the event's size and the limit; the log:\n{log.Dump()}");
    }
}
