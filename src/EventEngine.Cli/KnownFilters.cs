using System.Diagnostics;
using System.Text;

namespace EventEngine.Cli;

/// <summary>
/// The filter <c>echo</c> and <c>hz</c> split a frame at: the longest event type the dashboard knows, else the subscribed
/// prefix. An engine registers event types as its plugins are created, possibly after the command started, so a frame
/// that matches none of the known types asks the dashboard again: 100 ms after the last answer at the earliest, then
/// twice as long each time (at most every 5 s), so frames of no registered type cost few requests.
/// </summary>
internal sealed class KnownFilters
{
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);
    private readonly Func<Task<IReadOnlyList<string>>>? _fetch;
    private readonly string _prefix;
    private (string Text, byte[] Bytes)[] _types;
    private long _fetchedAt;
    private TimeSpan _interval = TimeSpan.FromMilliseconds(100);

    private KnownFilters(Func<Task<IReadOnlyList<string>>>? fetch, string prefix, IReadOnlyList<string> types)
    {
        _fetch = fetch;
        _prefix = prefix;
        _types = Encode(types);
        _fetchedAt = Stopwatch.GetTimestamp();
    }

    /// <param name="fetch">Reads the dashboard's event-type filters, longest first; null without a dashboard.</param>
    /// <param name="prefix">The subscribed prefix: the filter of a frame of no known type.</param>
    public static async Task<KnownFilters> LoadAsync(Func<Task<IReadOnlyList<string>>>? fetch, string prefix) =>
        new(fetch, prefix, fetch is null ? [] : await fetch());

    /// <summary>The filter <paramref name="frame"/> starts with; a frame of no known type asks the dashboard again first.</summary>
    public async Task<string> FilterOfAsync(byte[] frame)
    {
        if (Match(frame) is { } known) return known;
        if (_fetch is null || Stopwatch.GetElapsedTime(_fetchedAt) < _interval) return _prefix;
        _types = Encode(await _fetch());
        _fetchedAt = Stopwatch.GetTimestamp();
        _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, MaxInterval.Ticks));
        return Match(frame) ?? _prefix;
    }

    private string? Match(byte[] frame)
    {
        foreach (var (text, bytes) in _types)
            if (frame.AsSpan().StartsWith(bytes)) return text;
        return null;
    }

    private static (string, byte[])[] Encode(IReadOnlyList<string> filters) => [.. filters.Select(f => (f, Encoding.ASCII.GetBytes(f)))];
}
