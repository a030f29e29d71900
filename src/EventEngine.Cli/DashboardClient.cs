using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EventEngine.Cli;

/// <summary>Reads the engine's dashboard API (<c>api/state</c>): what <c>plugins</c>, <c>types</c>, <c>graph</c> and <c>top</c> show.</summary>
internal sealed class DashboardClient(Uri dashboard) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = EngineEndpoint.ConnectTimeout };

    public async Task<JsonNode> StateAsync(CancellationToken cancel = default)
    {
        var url = new Uri(dashboard.ToString().TrimEnd('/') + "/api/state" + dashboard.Query);
        try
        {
            return await _http.GetFromJsonAsync<JsonNode>(url, cancel) ?? throw new EngineUnreachableException($"the dashboard at {dashboard} answered nothing");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            throw new EngineUnreachableException($"no engine dashboard at {dashboard} — is the engine running with its dashboard on? ({e.Message})");
        }
    }

    /// <summary>The filters of the engine's event types, longest first (to split frames into filter and payload).</summary>
    public async Task<IReadOnlyList<string>> FiltersAsync() =>
        (await StateAsync())["eventTypes"]!.AsArray().Select(t => (string)t!["filter"]!).OrderByDescending(f => f.Length).ToList();

    public void Dispose() => _http.Dispose();
}
