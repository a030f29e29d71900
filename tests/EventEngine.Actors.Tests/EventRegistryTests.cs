using System.Text;
using EventEngine.Actors.Codecs;
using EventEngine.Actors.Events;
using EventEngine.Samples.Example;
using Xunit;

namespace EventEngine.Actors.Tests;

[Event("Tick")]
public sealed record TickEvent(int N);

[Event("Tock", Filter = "T0")]
public sealed record TockEvent(int N);

/// <summary>How event types are defined and found: defaults, declarations on the type, registration rules.</summary>
public class EventRegistryTests
{
    [Fact]
    public void Types_used_without_registration_get_their_declared_or_default_definition()
    {
        var registry = new EventRegistry();
        var ping = registry.Get<Ping>();
        Assert.Equal("Ping", ping.Name);
        Assert.Equal("Ping", ping.ToString());
        Assert.Equal("Ping"u8.ToArray(), ping.Filter);
        Assert.IsType<MessagePackEventCodec<Ping>>(ping.Codec);
        Assert.Same(Alpha.Definition, registry.Get<Alpha>()); // IEventDefinition: the type's own definition
        var tick = registry.Get<TickEvent>();
        Assert.Equal(("Tick", "Tick"), (tick.Name, Encoding.ASCII.GetString(tick.Filter)));
        var tock = registry.Get<TockEvent>();
        Assert.Equal(("Tock", "T0"), (tock.Name, Encoding.ASCII.GetString(tock.Filter)));
        Assert.Equal(new TockEvent(3), registry.Decode(tock.Encode(new TockEvent(3))).Event);

        Assert.Same(ping, registry.Get<Ping>());
        Assert.Same(ping, registry.Get(typeof(Ping)));
        Assert.Same(registry.Get(typeof(TypeB)), registry.Get<TypeB>());
        Assert.Equal(["Alpha", "Ping", "Tick", "Tock", "TypeB"], registry.All.Select(t => t.Name).Order());
    }

    [Fact]
    public void Each_registry_keeps_its_own_definition_of_a_type_and_explicit_registrations_are_found()
    {
        var custom = new EventRegistry();
        var plain = new EventRegistry();
        var tickAs = EventType.Create<TickEvent>(name: "TickAs", filter: "TA");
        Assert.Equal("Tick", plain.Get<TickEvent>().Name); // plain asks first, for the declared definition
        Assert.Same(tickAs, custom.Register(tickAs));
        Assert.Same(tickAs, custom.Get<TickEvent>());
        Assert.Same(tickAs, custom.Get<TickEvent>());
        Assert.Equal("Tick", plain.Get<TickEvent>().Name);
        Assert.Throws<InvalidOperationException>(() => plain.Register(tickAs));
        Assert.Equal("Tick", plain.Get<TickEvent>().Name); // a refused registration changes nothing
    }

    [Fact]
    public void Plugins_asking_for_a_new_type_at_once_all_get_the_same_definition()
    {
        for (var round = 0; round < 50; round++) // many rounds: two askers passing the unlocked check together is a race
        {
            var registry = new EventRegistry();
            using var go = new Barrier(4);
            var askers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                go.SignalAndWait(TimeSpan.FromSeconds(10));
                return registry.Get<Ping>();
            })).ToArray();
            Assert.True(Task.WaitAll(askers, TimeSpan.FromSeconds(10)), $"round {round}: the askers did not finish");
            Assert.All(askers, a => Assert.Same(askers[0].Result, a.Result));
            Assert.Single(registry.All);
        }
    }

    [Fact]
    public void A_subscription_by_name_takes_the_registered_types_filter_else_is_a_raw_prefix()
    {
        var registry = new EventRegistry();
        registry.Get<Ping>();
        registry.Get<TockEvent>();
        Assert.Equal("T0"u8.ToArray(), registry.FilterOf("Tock")); // the name, not the filter
        Assert.Equal("Ping"u8.ToArray(), registry.FilterOf("Ping"));
        Assert.Equal("T0x"u8.ToArray(), registry.FilterOf("T0x")); // no type of that name: the bytes as given
        Assert.Equal("Tö"u8.ToArray(), registry.FilterOf("Tö"));
    }

    [Fact]
    public void Registering_a_definition_again_is_harmless_but_a_second_definition_of_a_type_is_refused()
    {
        var registry = new EventRegistry();
        Assert.Same(TypeB.Definition, registry.Register(TypeB.Definition));
        Assert.Same(TypeB.Definition, registry.Register(TypeB.Definition));
        var error = Assert.Throws<InvalidOperationException>(() => registry.Register(EventType.Create<TypeB>(name: "Count", filter: "Count")));
        Assert.Contains($"event type {typeof(TypeB).FullName} is already registered as 'TypeB'", error.Message);
        Assert.Single(registry.All);
        Assert.Null(registry.Match("Count1"u8)); // the refused definition left nothing behind
    }

    [Fact]
    public void An_event_type_needs_a_name_and_a_filter()
    {
        Assert.Contains("an event type needs a name", Assert.Throws<ArgumentException>(() => EventType.Create<Ping>(name: "")).Message);
        Assert.Contains("event type 'Ping' needs a non-empty filter", Assert.Throws<ArgumentException>(() => EventType.Create<Ping>(filter: "")).Message);
    }

    [Fact]
    public void A_frame_without_the_types_filter_is_refused_naming_the_type()
    {
        var error = Assert.Throws<FormatException>(() => TypeB.Definition.Decode("TypeC17"u8.ToArray()));
        Assert.Equal("frame does not start with the filter of event type 'TypeB'", error.Message);
    }

    [Fact]
    public void A_raw_event_tells_its_prefix_and_shows_its_text()
    {
        var raw = new RawEvent("Sensor42 ok"u8.ToArray());
        Assert.True(raw.StartsWith("Sensor"));
        Assert.False(raw.StartsWith("Sensor43"));
        Assert.Equal("RawEvent(Sensor42 ok)", raw.ToString());
    }
}
