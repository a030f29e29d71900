using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EventEngine.WebApi.Tests;

/// <summary>The built example program, as `dotnet run --project example/EventEngine.WebApi` runs it.</summary>
public sealed class ExampleProgramTests
{
    [Fact]
    public async Task The_program_prints_its_address_and_serves_orders_streams_and_health()
    {
        using var program = RunningProgram.Start(ProgramRunner.ExampleDll("EventEngine.WebApi"), "--urls", "http://127.0.0.1:0");
        var address = (await program.WaitForLine(@"Now listening on: (http://127\.0\.0\.1:\d+)", Wait.Long)).Groups[1].Value;
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Wait.Long };

        await using var invoices = await SseStream.OpenAsync(client, "Invoice");
        using var posted = await Wait.For(client.PostAsJsonAsync("/events/order", new Order("P-1", "coffee", 3)), "POST /events/order");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(new Invoice("P-1", 18), (await invoices.NextAsync()).As<Invoice>());

        var health = await Wait.For(client.GetFromJsonAsync<JsonElement>("/health"), "GET /health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
    }
}
