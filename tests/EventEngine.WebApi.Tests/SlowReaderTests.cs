using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.WebApi.Tests;

/// <summary>
/// A Server-Sent Events client that reads slowly while another client posts orders as fast as it can: the SSE endpoint
/// holds the events it could not write yet inside the engine's flow control, so the engine pauses the producer (its
/// POSTs wait) instead of queueing without bound, and nothing is lost once the reader catches up.
/// </summary>
public sealed class SlowReaderTests
{
    private const int HighWaterMark = 50;
    private const int Orders = 1000;

    // Kestrel's response buffer and both sockets' kernel buffers are narrowed to this, so that the bytes the transport
    // holds between the server's subscription and the test's reads are few and known.
    private const int SocketBuffer = 4096;

    // What the transport can hold: Kestrel's response buffer and the frame being written, the socket transport's output
    // pipe, both kernel buffers (Linux doubles the size set), HttpClient's and the reader's buffers. About 30 KiB; generous.
    private const int TransportBytes = 64 * 1024;

    // Every event's SSE frame is longer than this, so the transport holds fewer than TransportBytes / FrameBytes events.
    private const int FrameBytes = 500;
    private static readonly string Padding = new('x', FrameBytes);

    // Orders accepted by the server and not yet read by the client: the engine holds at most the window (plus the one
    // reaction a handler publishes before its order's credit returns), the transport the rest.
    private const int Bound = HighWaterMark + 1 + TransportBytes / FrameBytes;

    private static readonly string[] Args = [$"--EventEngine:HighWaterMark={HighWaterMark}", $"--EventEngine:LowWaterMark={HighWaterMark / 2}"];

    [Fact]
    public async Task A_slow_sse_reader_pauses_the_producer_within_a_bound_and_loses_nothing()
    {
        await using var server = await WebApiServer.StartAsync(Args, NarrowServerBuffers);
        using var client = server.Client(NarrowClientBuffers());
        await using var stream = await SseStream.OpenAsync(client, "Invoice");
        var producer = new Producer(client);

        // The reader reads nothing: the producer fills the window and is paused, far short of its orders.
        await Wait.Until(() => HostPaused(server) is not null || producer.Task.IsCompleted, "the producer to be paused by flow control");
        Assert.False(producer.Task.IsCompleted, $"the producer posted all {Orders} orders while nothing was read: no back-pressure");
        var read = 0;
        AssertBounded();

        // The reader reads one event each time the producer is paused (always slower than it), over several
        // pause/resume cycles of the window: what is accepted and unread stays bounded.
        while (read < Orders / 2)
        {
            await Wait.Until(() => HostPaused(server) is not null, () => $"the producer to be paused again ({read} read, {producer.Accepted} accepted)");
            AssertBounded();
            AssertInvoiced(read, await stream.NextAsync());
            read++;
        }

        // The reader speeds up: every order is invoiced exactly once, in order.
        for (; read < Orders; read++)
        {
            AssertInvoiced(read, await stream.NextAsync());
            AssertBounded();
        }
        await Wait.For(producer.Task, "the producer to finish");
        Assert.Equal(Orders, producer.Accepted);
        await Wait.Until(() => HostPaused(server) is null, "the producer's window to drain");

        void AssertBounded()
        {
            var accepted = producer.Accepted;
            Assert.True(accepted - read <= Bound, $"{accepted} orders accepted and {read} read: {accepted - read} in the server, more than {Bound}");
            if (HostPaused(server) is { } paused)
                Assert.True(paused.InFlight <= HighWaterMark + 1, $"{paused.InFlight} events in flight, above the window ({HighWaterMark})");
        }
    }

    [Fact]
    public async Task A_reader_that_leaves_while_the_producer_is_paused_releases_it()
    {
        await using var server = await WebApiServer.StartAsync(Args, NarrowServerBuffers);
        using var client = server.Client(NarrowClientBuffers());
        var stream = await SseStream.OpenAsync(client, "Invoice");
        var producer = new Producer(client);
        await Wait.Until(() => HostPaused(server) is not null, "the producer to be paused by the reader that reads nothing");
        // Until the transport's buffers are full the producer may resume once or twice more (its SSE writer still drains
        // into them; seen in CI as a Healthy reply right after a pause): ask again until the pause holds.
        var health = default(JsonElement);
        await Wait.Until(async () =>
        {
            health = await client.GetFromJsonAsync<JsonElement>("/health");
            return health.GetProperty("status").GetString() == "Degraded";
        }, () => $"GET /health to say Degraded while the reader reads nothing; last reply {health}");
        Assert.Contains("source host is paused", health.GetProperty("checks").GetProperty("event-engine").GetProperty("description").GetString());

        await stream.DisposeAsync();

        await Wait.For(producer.Task, "the producer to finish once the reader left");
        Assert.Equal(Orders, producer.Accepted);
        await Wait.Until(() => HostPaused(server) is null, "the producer's window to drain");
    }

    private static PausedSource? HostPaused(WebApiServer server) =>
        server.Engine.Status().PausedSources.SingleOrDefault(s => s.Source == "host");

    private static Order OrderNumber(int i) => new($"{i:D5}-{Padding}", "widget", i % 7 + 1);

    private static void AssertInvoiced(int i, ServerSentEvent invoice)
    {
        var order = OrderNumber(i);
        Assert.Equal(new Invoice(order.Id, order.Item.Length * order.Quantity), invoice.As<Invoice>());
    }

    /// <summary>Posts the orders one after the other, as fast as the server accepts them.</summary>
    private sealed class Producer
    {
        private int _accepted;

        public Producer(HttpClient client) => Task = Task.Run(async () =>
        {
            for (var i = 0; i < Orders; i++)
            {
                using var response = await client.PostAsJsonAsync("/events/order", OrderNumber(i));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                Interlocked.Increment(ref _accepted);
            }
        });

        public Task Task { get; }

        public int Accepted => Volatile.Read(ref _accepted);
    }

    private static void NarrowServerBuffers(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxResponseBufferSize = SocketBuffer);
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxWriteBufferSize = SocketBuffer; // the transport's own output pipe
            sockets.CreateBoundListenSocket = endpoint =>
            {
                var listener = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                listener.SendBufferSize = SocketBuffer; // accepted connections inherit it
                return listener;
            };
        });
    }

    private static SocketsHttpHandler NarrowClientBuffers() => new()
    {
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = SocketBuffer };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
