using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EventEngine.WebApi.Tests;

/// <summary>The example's application on real Kestrel at an ephemeral 127.0.0.1 port, in this process; stopped on dispose.</summary>
public sealed class WebApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebApiServer(WebApplication app)
    {
        _app = app;
        Engine = app.Services.GetRequiredService<Actors.EventEngine>();
        Address = new Uri(app.Urls.Single());
    }

    /// <summary>Where it listens (the port Kestrel bound).</summary>
    public Uri Address { get; }

    /// <summary>The engine beside the web API.</summary>
    public Actors.EventEngine Engine { get; }

    /// <summary>Starts it with extra command-line <paramref name="args"/> (e.g. <c>--EventEngine:HighWaterMark=50</c>).</summary>
    public static async Task<WebApiServer> StartAsync(string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var app = WebApiApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. args ?? []], configure);
        await Wait.For(app.StartAsync(), "the web API to start");
        var server = new WebApiServer(app);
        await Wait.For(server.Engine.Started, "the engine's start-up barrier");
        return server;
    }

    /// <summary>A client of this server (<paramref name="handler"/>: e.g. one with small socket buffers).</summary>
    public HttpClient Client(HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler()) { BaseAddress = Address, Timeout = 2 * Wait.Long };

    public async ValueTask DisposeAsync()
    {
        await Wait.For(_app.StopAsync(), "the web API to stop");
        await _app.DisposeAsync();
    }
}
