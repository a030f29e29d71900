using System.Text;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>The request parser alone: the exact bytes of every command (docs/protocol.md).</summary>
public sealed class PluginRequestTests
{
    [Theory]
    [InlineData("plugin_command: next_msg", RequestKind.NextMsg, 1, -1)]
    [InlineData("plugin_command: next_msg 0", RequestKind.NextMsg, 1, 0)]
    [InlineData("plugin_command: next_msg 3600000", RequestKind.NextMsg, 1, 3600000)]
    [InlineData("plugin_command: next_batch 1", RequestKind.NextBatch, 1, -1)]
    [InlineData("plugin_command: next_batch 65536", RequestKind.NextBatch, 65536, -1)]
    [InlineData("plugin_command: next_batch 1000 250", RequestKind.NextBatch, 1000, 250)]
    [InlineData("plugin_command: quit", RequestKind.Quit, 1, -1)]
    internal void Commands_parse(string text, RequestKind kind, int max, int wait)
    {
        var request = PluginRequest.Parse(Encoding.ASCII.GetBytes(text));
        Assert.Equal(kind, request.Kind);
        Assert.Equal(max, request.MaxEvents);
        Assert.Equal(wait, request.WaitMs);
    }

    [Theory]
    [InlineData("plugin_command: next_msg 3600001")]
    [InlineData("plugin_command: next_msg ")]
    [InlineData("plugin_command: next_msg 1 2")]
    [InlineData("plugin_command: next_msg +5")]
    [InlineData("plugin_command: next_msg\n")]
    [InlineData("plugin_command: next_batch")]
    [InlineData("plugin_command: next_batch 0")]
    [InlineData("plugin_command: next_batch 10 20 30")]
    [InlineData("plugin_command: next_batch 10 ")]
    [InlineData("plugin_command: next_batch 9999999999")]
    [InlineData("plugin_command: quit ")]
    [InlineData("plugin_command: Quit")]
    [InlineData("plugin_command: publish_batch 3")]
    [InlineData("plugin_command: publish_batch 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("plugin_command: publish_batch 00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01\n\0\0\0\u0001X")]
    [InlineData("plugin_command: publish_batch 00-00000000000000000000000000000000-b7ad6b7169203331-01\n\0\0\0\u0001X")]
    [InlineData("plugin_command: publish_batch 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 \n\0\0\0\u0001X")]
    [InlineData("plugin_command: next_batch traceparents")]
    [InlineData("plugin_command: next_batch 10 traceparent")]
    [InlineData("plugin_command: next_batch 10 traceparents 5")]
    public void Malformed_commands_are_refused(string text) =>
        Assert.Equal(RequestKind.Bad, PluginRequest.Parse(Encoding.ASCII.GetBytes(text)).Kind);

    [Theory]
    [InlineData("plugin_command: next_batch 10 traceparents", 10, -1)]
    [InlineData("plugin_command: next_batch 1000 250 traceparents", 1000, 250)]
    internal void Next_batch_may_ask_for_traceparents(string text, int max, int wait)
    {
        var request = PluginRequest.Parse(Encoding.ASCII.GetBytes(text));
        Assert.Equal((RequestKind.NextBatch, max, wait, true), (request.Kind, request.MaxEvents, request.WaitMs, request.WantsTraceparents));
        Assert.False(PluginRequest.Parse(Encoding.ASCII.GetBytes(text[..^" traceparents".Length])).WantsTraceparents);
    }

    [Fact]
    public void A_publish_batch_may_carry_the_traceparent_its_publish_spans_continue()
    {
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var request = PluginRequest.Parse([.. Encoding.ASCII.GetBytes($"plugin_command: publish_batch {traceparent}\n"), 0, 0, 0, 7, .. "TypeB17"u8]);
        Assert.Equal(RequestKind.PublishBatch, request.Kind);
        Assert.Equal(["TypeB17"], request.Frames!.Select(f => Encoding.ASCII.GetString(f)));
        Assert.Equal(("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", true),
            (request.Trace.TraceId.ToHexString(), request.Trace.SpanId.ToHexString(), request.Trace.IsRemote));
        Assert.Equal(default, PluginRequest.Parse(PluginPeer.PublishBatchRequest(["TypeB17"u8.ToArray()])).Trace);
    }

    [Theory]
    [InlineData("TypeAhello")]
    [InlineData("")]
    [InlineData("plugin_command:next_msg")]
    [InlineData("Plugin_command: quit")]
    public void Anything_else_is_published_as_it_is(string text)
    {
        var frame = Encoding.UTF8.GetBytes(text);
        var request = PluginRequest.Parse(frame);
        Assert.Equal(RequestKind.Publish, request.Kind);
        Assert.Same(frame, request.Frame);
    }

    [Fact]
    public void A_publish_batch_holds_length_prefixed_events_including_empty_ones()
    {
        var request = PluginRequest.Parse(PluginPeer.PublishBatchRequest([[], "TypeA\n\u0000x"u8.ToArray(), new byte[70_000]]));
        Assert.Equal(RequestKind.PublishBatch, request.Kind);
        Assert.Equal([0, 8, 70_000], request.Frames!.Select(f => f.Length));
        Assert.Equal("TypeA\n\u0000x"u8.ToArray(), request.Frames![1]);
    }

    [Fact]
    public void An_unknown_verb_is_shown_printable_and_short()
    {
        var request = PluginRequest.Parse([.. "plugin_command: "u8.ToArray(), 0x01, (byte)'\'', .. Encoding.ASCII.GetBytes(new string('v', 60))]);
        Assert.Equal($"unknown command '??{new string('v', 38)}...'", request.Reason);
    }
}
