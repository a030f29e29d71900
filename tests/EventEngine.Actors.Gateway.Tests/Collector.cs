using System.Collections.Concurrent;
using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using EventEngine.Samples.Example;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>What an internal test plugin received, as text frames (filter included), in order.</summary>
internal sealed class Received
{
    private readonly ConcurrentQueue<string> _items = new();

    public IReadOnlyList<string> Items => _items.ToArray();

    public int Count => _items.Count;

    public void Add(string item) => _items.Enqueue(item);
}

/// <summary>An internal plugin that records TypeA/TypeB/TypeC and raw frames starting with a prefix.</summary>
internal sealed class Collector : EventPlugin
{
    public Collector(Received received, string rawPrefix)
    {
        Subscribe<TypeA>(a => received.Add("TypeA" + a.Text));
        Subscribe<TypeB>(b => received.Add("TypeB" + b.Count));
        Subscribe<TypeC>(c => received.Add("TypeC" + c.Text));
        SubscribeRaw(rawPrefix, raw => received.Add(System.Text.Encoding.UTF8.GetString(raw.Frame)));
    }
}

/// <summary>Records raw frames starting with a prefix, taking <paramref name="millisPerEvent"/> for each (a slow consumer).</summary>
internal sealed class SlowCollector : EventPlugin
{
    public SlowCollector(Received received, string rawPrefix, int millisPerEvent)
    {
        SubscribeRaw(rawPrefix, raw =>
        {
            Thread.Sleep(millisPerEvent);
            received.Add(System.Text.Encoding.UTF8.GetString(raw.Frame));
        });
    }
}
