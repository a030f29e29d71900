using System.Diagnostics;
using System.Text;

namespace EventEngine.Cli;

/// <summary>
/// The filters <c>echo</c> and <c>hz</c> split frames by: the event types the dashboard knows (longest first), then the
/// subscribed prefix. An engine registers event types as its plugins are created, possibly after the command started,
/// so a frame that matches none of the known types asks the dashboard again: 100 ms after the last answer at the
/// earliest, then twice as long each time (at most every 5 s), so frames of no registered type cost few requests.
/// </summary>
internal sealed class KnownFilters
{
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);
    private readonly Func<Task<IReadOnlyList<string>>>? _fetch;
    private readonly string _prefix;
    private IReadOnlyList<string> _filters;
    private long _fetchedAt;
    private TimeSpan _interval = TimeSpan.FromMilliseconds(100);

    private KnownFilters(Func<Task<IReadOnlyList<string>>>? fetch, string prefix, IReadOnlyList<string> types)
    {
        _fetch = fetch;
        _prefix = prefix;
        _filters = [.. types, prefix];
        _fetchedAt = Stopwatch.GetTimestamp();
    }

    /// <param name="fetch">Reads the dashboard's event-type filters, longest first; null without a dashboard.</param>
    /// <param name="prefix">The subscribed prefix: the filter of a frame of no known type.</param>
    public static async Task<KnownFilters> LoadAsync(Func<Task<IReadOnlyList<string>>>? fetch, string prefix) =>
        new(fetch, prefix, fetch is null ? [] : await fetch());

    /// <summary>The filters to split <paramref name="frame"/> by, asked again first if it matches no known type.</summary>
    public async Task<IReadOnlyList<string>> ForAsync(byte[] frame)
    {
        if (_fetch is not null && Of(frame) == _prefix && Stopwatch.GetElapsedTime(_fetchedAt) >= _interval)
        {
            _filters = [.. await _fetch(), _prefix];
            _fetchedAt = Stopwatch.GetTimestamp();
            _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, MaxInterval.Ticks));
        }
        return _filters;
    }

    /// <summary>The known filter <paramref name="frame"/> starts with (the longest), else the prefix.</summary>
    public string Of(byte[] frame) => _filters.FirstOrDefault(f => frame.AsSpan().StartsWith(Encoding.ASCII.GetBytes(f))) ?? _prefix;
}
