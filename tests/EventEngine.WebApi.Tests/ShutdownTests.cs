namespace EventEngine.WebApi.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task An_open_sse_stream_ends_when_the_host_stops_instead_of_holding_up_shutdown()
    {
        var server = await WebApiServer.StartAsync();
        using var client = server.Client();
        await using var stream = await SseStream.OpenAsync(client, "Invoice");

        // Kestrel waits for open requests up to the host's shutdown timeout (30 s); the stream must end long before.
        await Wait.For(server.DisposeAsync().AsTask(), "the host to stop with an SSE client attached", TimeSpan.FromSeconds(15));

        await Assert.ThrowsAsync<EndOfStreamException>(stream.NextAsync);
    }
}
