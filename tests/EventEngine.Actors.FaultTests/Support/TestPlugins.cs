using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>A numbered event: filter <c>Ping</c>, then the number in ASCII decimal (readable on the wire).</summary>
public sealed record Ping(long N) : IEventDefinition<Ping>
{
    public static EventType<Ping> Definition { get; } = EventType.Decimal<Ping>(e => e.N, n => new Ping(n));
}

/// <summary>What a test plugin received, in order; safe to read from the test's thread.</summary>
public sealed class Received<T>
{
    private readonly List<T> _items = new();

    public int Count
    {
        get
        {
            lock (_items) return _items.Count;
        }
    }

    public List<T> Items
    {
        get
        {
            lock (_items) return _items.ToList();
        }
    }

    public void Add(T item)
    {
        lock (_items) _items.Add(item);
    }
}

/// <summary>Publishes Ping 1..count as fast as flow control lets it (awaiting PublishAsync), starting at the barrier.</summary>
public sealed class Burst : EventPlugin
{
    private readonly long _count;

    public Burst(long count) => _count = count;

    protected override async Task OnStartAsync()
    {
        for (long i = 1; i <= _count; i++) await PublishAsync(new Ping(i));
    }
}

/// <summary>Throws on every Ping whose number is a multiple of <c>every</c>; records the others and counts its restarts.</summary>
public sealed class Flaky : EventPlugin
{
    private readonly Received<long> _restarts;

    public Flaky(Received<long> handled, Received<long> restarts, long every)
    {
        _restarts = restarts;
        Subscribe<Ping>(p =>
        {
            if (p.N % every == 0) throw new InvalidOperationException($"poison {p.N}");
            handled.Add(p.N);
        });
    }

    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        _restarts.Add(1);
    }
}

/// <summary>Throws on every Ping (it will pass any restart limit).</summary>
public sealed class AlwaysFails : EventPlugin
{
    public AlwaysFails() => Subscribe<Ping>(p => throw new InvalidOperationException($"always fails (Ping {p.N})"));
}

/// <summary>Records every Ping.</summary>
public sealed class PingCollector : EventPlugin
{
    public PingCollector(Received<long> received) => Subscribe<Ping>(p => received.Add(p.N));
}

/// <summary>Records every Ping, taking about a millisecond each (a consumer far slower than its producer).</summary>
public sealed class SlowPingCollector : EventPlugin
{
    public SlowPingCollector(Received<long> received) => Subscribe<Ping>(p =>
    {
        Thread.Sleep(1);
        received.Add(p.N);
    });
}

/// <summary>Records every TypeA text, and raw frames starting with <c>rawPrefix</c> (if given).</summary>
public sealed class TextCollector : EventPlugin
{
    public TextCollector(Received<string> received, string? rawPrefix = null)
    {
        Subscribe<TypeA>(a => received.Add(a.Text));
        if (rawPrefix is not null) SubscribeRaw(rawPrefix, raw => received.Add(System.Text.Encoding.UTF8.GetString(raw.Frame)));
    }
}

/// <summary>Subscribed to everything: records every raw frame (no registered event type's) byte for byte; ignores TypeA.</summary>
public sealed class RawFrameCollector : EventPlugin
{
    public RawFrameCollector(Received<byte[]> received)
    {
        Subscribe<TypeA>(_ => { });
        SubscribeRaw("", raw => received.Add(raw.Frame.ToArray()));
    }
}

/// <summary>Records raw frames starting with <c>prefix</c> (as text).</summary>
public sealed class RawCollector : EventPlugin
{
    public RawCollector(Received<string> received, string prefix) =>
        SubscribeRaw(prefix, raw => received.Add(System.Text.Encoding.UTF8.GetString(raw.Frame)));
}
