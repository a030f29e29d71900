using System.Text;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>
/// Fast mode acknowledges explicitly (docs/protocol.md, 2.4): a batch is acknowledged by the next fetch, <c>ack</c> or
/// <c>quit</c>, never by a publication; the original protocol's "any request acknowledges" is unchanged.
/// </summary>
public sealed class ExplicitAckTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("plugin_command: ack", -1)]
    [InlineData("plugin_command: ack 0", 0)]
    [InlineData("plugin_command: ack 65536", 65536)]
    public void Ack_parses(string text, int count)
    {
        var request = PluginRequest.Parse(Encoding.ASCII.GetBytes(text));
        Assert.Equal(RequestKind.Ack, request.Kind);
        Assert.Equal(count, request.MaxEvents);
    }

    [Theory]
    [InlineData("plugin_command: ack ")]
    [InlineData("plugin_command: ack 1 2")]
    [InlineData("plugin_command: ack -1")]
    public void Malformed_acks_are_refused(string text) =>
        Assert.Equal(RequestKind.Bad, PluginRequest.Parse(Encoding.ASCII.GetBytes(text)).Kind);

    [Fact]
    public async Task A_publication_in_the_middle_of_a_batch_acknowledges_nothing()
    {
        await using var t = await Queued(3);
        using (var first = t.Peer("Py"))
        {
            Assert.Equal(["TypeA0", "TypeA1", "TypeA2"], first.NextBatch(10));
            Assert.Equal("event-engine: msg published", first.RequestText("TypeCreaction"));
        } // dies after publishing, before its next fetch

        using var second = t.Peer("Py");
        Assert.Equal(["TypeA0", "TypeA1", "TypeA2"], second.NextBatch(10));
    }

    [Fact]
    public async Task Ack_acknowledges_exactly_the_count_it_names()
    {
        await using var t = await Queued(3);
        using (var first = t.Peer("Py"))
        {
            Assert.Equal(["TypeA0", "TypeA1", "TypeA2"], first.NextBatch(10));
            Assert.Equal("event-engine: acked 1", first.RequestText("plugin_command: ack 1"));
            Assert.Equal("event-engine: bad msg: cannot acknowledge 3 event(s): 2 are unacknowledged",
                first.RequestText("plugin_command: ack 3"));
        }

        using (var second = t.Peer("Py"))
        {
            Assert.Equal(["TypeA1", "TypeA2"], second.NextBatch(10));
            Assert.Equal("event-engine: acked 2", second.RequestText("plugin_command: ack"));
        }

        using var third = t.Peer("Py");
        Assert.Equal([], third.NextBatch(10, waitMs: 0));
    }

    [Fact]
    public async Task After_the_original_next_msg_a_publication_still_acknowledges()
    {
        await using var t = await Queued(2);
        using (var first = t.Peer("Py"))
        {
            Assert.Equal("TypeA0", first.NextMsg());
            Assert.Equal("event-engine: msg published", first.RequestText("TypeCreaction"));
        }

        using var second = t.Peer("Py");
        Assert.Equal(["TypeA1"], second.NextBatch(10));
    }

    [Fact]
    public async Task Quit_acknowledges_the_last_batch_so_it_is_not_counted_as_dropped()
    {
        await using var t = await Queued(3);
        using (var peer = t.Peer("Py"))
        {
            Assert.Equal(["TypeA0", "TypeA1", "TypeA2"], peer.NextBatch(10));
            peer.SendText("plugin_command: quit");
            await t.Engine.Completion.WaitAsync(Long);
        }
        Assert.False(t.Log.Contains("Py", "dropped"), t.Log.Dump());
    }

    private static async Task<TestEngine> Queued(int count)
    {
        var t = TestEngine.Start(e => e.AddExternalPlugin("Py", 0, ["TypeA"]));
        await t.Engine.WhenExternalPluginsSubscribed().WaitAsync(Long);
        for (var i = 0; i < count; i++) t.Engine.Publish(new TypeA(i.ToString()));
        await Wait.Until(() => t.Queued("Py") == count, $"{count} queued events");
        return t;
    }
}
