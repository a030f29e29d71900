using System.Net;
using System.Text;
using System.Text.Json;

namespace EventEngine.WebApi.Tests;

/// <summary>One Server-Sent Event: its <c>event:</c> type and its <c>data:</c> JSON.</summary>
public sealed record ServerSentEvent(string Type, string Data)
{
    public T As<T>() => JsonSerializer.Deserialize<T>(Data, EventRoutes.Json) ?? throw new InvalidDataException($"null data in {this}");
}

/// <summary>A client reading <c>GET /events/{type}</c>: it reads only when asked, so a test controls how slowly.</summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly string _path;

    private SseStream(HttpResponseMessage response, StreamReader reader, string path) => (_response, _reader, _path) = (response, reader, path);

    /// <summary>Opens the stream; returns once the server says it is subscribed (every event published later arrives).</summary>
    public static async Task<SseStream> OpenAsync(HttpClient client, string type)
    {
        var path = $"/events/{type}";
        var response = await Wait.For(client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead), $"GET {path} headers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        // A small buffer: the client holds few bytes beyond what the test has read.
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8, false, bufferSize: 1024);
        var stream = new SseStream(response, reader, path);
        Assert.Equal(": subscribed", await stream.ReadLineAsync());
        Assert.Equal("", await stream.ReadLineAsync());
        return stream;
    }

    /// <summary>The next event, awaited with a deadline.</summary>
    public async Task<ServerSentEvent> NextAsync()
    {
        string? type = null, data = null;
        for (var line = await ReadLineAsync(); line != ""; line = await ReadLineAsync())
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
            else throw new InvalidDataException($"unexpected line in {_path}: '{line}'");
        }
        return new ServerSentEvent(type ?? throw new InvalidDataException("an event without 'event:'"), data ?? throw new InvalidDataException("an event without 'data:'"));
    }

    private async Task<string> ReadLineAsync() =>
        await Wait.For(_reader.ReadLineAsync(), $"a line from {_path}") ?? throw new EndOfStreamException($"{_path} ended");

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose(); // closes the connection: the server ends the stream and unsubscribes
        return ValueTask.CompletedTask;
    }
}
