using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EventEngine.WebApi.Tests;

/// <summary>The example's routes on one server: publish, stream, bad input, health.</summary>
public sealed class WebApiTests(WebApiTests.Server server) : IClassFixture<WebApiTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public WebApiServer Api { get; private set; } = null!;
        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Api = await WebApiServer.StartAsync();
            Client = Api.Client();
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Api.DisposeAsync();
        }
    }

    private HttpClient Client => server.Client;

    [Fact]
    public async Task An_order_posted_is_priced_by_the_plugin_with_the_injected_service_and_streamed_to_sse_clients()
    {
        await using var orders = await SseStream.OpenAsync(Client, "order");
        await using var invoices = await SseStream.OpenAsync(Client, "Invoice");

        using var response = await Post("order", """{"id":"A-1","item":"tea","quantity":2}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new ServerSentEvent("Order", """{"id":"A-1","item":"tea","quantity":2}"""), await orders.NextAsync());
        // FixedPriceList, injected into OrderDesk, prices an item at one per letter: 3 × 2.
        Assert.Equal(new ServerSentEvent("Invoice", """{"id":"A-1","total":6}"""), await invoices.NextAsync());
    }

    public static TheoryData<string, string, string, string> BadInput => new()
    {
        // path,       body,                                          problem title,        detail contains
        { "order", """{"id":"B-1",""", "Invalid Order", "Path: $ | LineNumber: 0 | BytePositionInLine: 11" },
        { "order", """{"id":"B-2","item":"tea","quantity":"two"}""", "Invalid Order", "Path: $.quantity" },
        { "order", """{"id":"B-3"}""", "Invalid Order", "missing required properties including: 'item', 'quantity'" },
        { "order", """{"id":"B-4","item":"tea","quantity":1,"qty":2}""", "Invalid Order", "'qty' could not be mapped" },
        { "order", """{"id":"B-5","item":null,"quantity":1}""", "Invalid Order", "Path: $.item" },
        { "order", """[{"id":"B-6","item":"tea","quantity":1}]""", "Invalid Order", "could not be converted to EventEngine.WebApi.Order. Path: $" },
        { "order", "", "Invalid Order", "does not contain any JSON tokens" },
        { "order", "null", "Invalid Order", "the body is null; expected an object for Order" },
        { "orders", """{"id":"B-9","item":"tea","quantity":1}""", "Unknown event type", "unknown event type 'orders'; known: Order, Invoice" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_gets_a_400_problem_naming_what_was_wrong(string type, string body, string title, string detail)
    {
        using var response = await Post(type, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Bad_input_between_good_events_publishes_nothing_and_leaves_the_others_intact()
    {
        await using var orders = await SseStream.OpenAsync(Client, "order");
        var bad = BadInput.Select(row => ((string)row[0], (string)row[1])).ToList();

        for (var i = 0; i <= bad.Count; i++)
        {
            using var good = await Post("order", $$"""{"id":"G-{{i}}","item":"tea","quantity":{{i + 1}}}""");
            Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
            if (i == bad.Count) break;
            using var refused = await Post(bad[i].Item1, bad[i].Item2);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // Every good order arrives intact and in order, with nothing from the bad bodies between them.
        for (var i = 0; i <= bad.Count; i++)
            Assert.Equal(new Order($"G-{i}", "tea", i + 1), (await orders.NextAsync()).As<Order>());
    }

    [Fact]
    public async Task Streaming_an_unknown_type_gets_a_400_problem()
    {
        var problem = await Get("/events/nope", HttpStatusCode.BadRequest);

        Assert.Equal("unknown event type 'nope'; known: Order, Invoice", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_is_healthy_once_the_engine_runs()
    {
        var health = await Get("/health", HttpStatusCode.OK);

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("the event engine is running", health.GetProperty("checks").GetProperty("event-engine").GetProperty("description").GetString());
    }

    private async Task<JsonElement> Get(string path, HttpStatusCode expected)
    {
        using var response = await Wait.For(Client.GetAsync(path), $"GET {path}");
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> Post(string type, string body) =>
        Wait.For(Client.PostAsync($"/events/{type}", new StringContent(body, Encoding.UTF8, "application/json")), $"POST /events/{type}");
}
