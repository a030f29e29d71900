using System.Diagnostics;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.LoadTest;

namespace EventEngine.Actors.FaultHost;

/// <summary>A numbered event: filter <c>Num</c>, then the number in ASCII decimal.</summary>
public sealed record Num(long N) : IEventDefinition<Num>
{
    public static EventType<Num> Definition { get; } = EventType.Decimal<Num>(e => e.N, n => new Num(n));
}

/// <summary>The end of a stream: filter <c>End</c>, then how many <see cref="Num"/> events were published.</summary>
public sealed record End(long Count) : IEventDefinition<End>
{
    public static EventType<End> Definition { get; } = EventType.Decimal<End>(e => e.Count, n => new End(n));
}

/// <summary>What an external consumer saw: filter <c>Report</c>, then text.</summary>
public sealed record Report(string Text) : IEventDefinition<Report>
{
    public static EventType<Report> Definition { get; } = EventType.Utf8Text<Report>(e => e.Text, s => new Report(s));
}

/// <summary>Shared by the plugins of one run and the program that prints the result.</summary>
public sealed class RunState
{
    private long _published;
    private long _consumed;

    public long Published => Interlocked.Read(ref _published);

    public long Consumed => Interlocked.Read(ref _consumed);

    public long Offered { get; set; }

    public bool ConsumedInOrder { get; set; } = true;

    public string? ExternalReport { get; set; }

    public TaskCompletionSource Loaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnPublished() => Interlocked.Increment(ref _published);

    public long OnConsumed() => Interlocked.Increment(ref _consumed);
}

/// <summary>Offers <see cref="Num"/> events at <c>rate</c> per second for <c>duration</c>, as fast as flow control lets it; then End.</summary>
public sealed class PacedProducer : EventPlugin
{
    private readonly RunState _state;
    private readonly double _rate;
    private readonly TimeSpan _duration;

    public PacedProducer(RunState state, double rate, TimeSpan duration)
    {
        _state = state;
        _rate = rate;
        _duration = duration;
    }

    protected override async Task OnStartAsync()
    {
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (clock.Elapsed < _duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * _rate);
            if (n >= due)
            {
                await Task.Delay(1); // ahead of the offered rate
                continue;
            }
            _state.OnPublished();
            await PublishAsync(new Num(n++)); // pauses (no thread blocked) while consumers are behind
        }
        _state.Offered = (long)(_duration.TotalSeconds * _rate);
        Publish(new End(n));
        Finish();
    }
}

/// <summary>Handles one <see cref="Num"/> per <c>millisPerEvent</c> (a slow consumer), checking order; finishes at End.</summary>
public sealed class SlowConsumer : EventPlugin
{
    public SlowConsumer(RunState state, int millisPerEvent)
    {
        long expected = 0;
        Subscribe<Num>(n =>
        {
            if (n.N != expected++) state.ConsumedInOrder = false;
            state.OnConsumed();
            Thread.Sleep(millisPerEvent);
        });
        Subscribe<End>(_ => Finish());
    }
}

/// <summary>Takes the external consumer's report, then finishes.</summary>
public sealed class Reporter : EventPlugin
{
    public Reporter(RunState state) => Subscribe<Report>(r =>
    {
        state.ExternalReport = r.Text;
        Finish();
    });
}

/// <summary>Counts the load test's OperatorMsg events; says "loaded" once <c>threshold</c> went by.</summary>
public sealed class LoadMeter : EventPlugin
{
    public LoadMeter(RunState state, long threshold) => Subscribe<OperatorMessage>(_ =>
    {
        if (state.OnConsumed() == threshold) state.Loaded.TrySetResult();
    });
}

/// <summary>Throws on every event it gets (a plugin that will pass its restart limit).</summary>
public sealed class Doomed : EventPlugin
{
    public Doomed() => Subscribe<OperatorMessage>(m => throw new InvalidOperationException($"doomed on OperatorMsg {m.Length}"));
}
