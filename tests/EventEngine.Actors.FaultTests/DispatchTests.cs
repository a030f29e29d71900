using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 7: external plugins' subscriptions name the types plugins declare; dispatch matches publication.</summary>
public sealed class DispatchTests
{
    /// <summary>A type whose name ("Meter") is not its filter ("m/"): a subscription resolved too early gets the raw prefix "Meter".</summary>
    public sealed record Meter(int Value) : IEventDefinition<Meter>
    {
        public static EventType<Meter> Definition { get; } = EventType.Create<Meter>(name: "Meter", filter: "m/");
    }

    [Fact]
    public async Task An_external_plugin_subscribed_by_type_name_gets_a_type_that_a_plugin_constructor_declares_after_the_gateway_started()
    {
        using var constructorMayGoOn = new ManualResetEventSlim();
        await using var t = TestEngine.Start(e => e
            .AddPlugin<LateDeclarer>("Declarer", constructorMayGoOn)
            .AddExternalPlugin("Ext", 0, ["Meter"]));
        constructorMayGoOn.Set(); // the gateway has started (EventEngine.Start returned) before the constructor declares Meter
        using var ext = t.Peer("Ext");
        var got = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (got.Count == 0 && DateTime.UtcNow < deadline) got.AddRange(ext.NextBatch(10, waitMs: 500));

        Assert.True(got.Count == 1 && got[0].StartsWith("m/", StringComparison.Ordinal),
            $"Ext got [{string.Join(", ", got)}] instead of the Meter event (filter m/); log:\n{t.Log.Dump()}");
    }

    public sealed class LateDeclarer : EventPlugin
    {
        public LateDeclarer(ManualResetEventSlim mayGoOn)
        {
            Assert.True(mayGoOn.Wait(TimeSpan.FromSeconds(30)), "the test never let the constructor go on");
            Subscribe<Meter>(_ => { });
        }

        protected override void OnStart() => Publish(new Meter(1));
    }

    public interface IAlarm
    {
        string Where { get; }
    }

    public sealed record Fire(string Where) : IAlarm;

    [Fact]
    public async Task An_event_published_as_an_interface_reaches_the_handler_subscribed_to_that_interface()
    {
        var alarms = new Received<string>();
        await using var engine = TestEngine.Start(e => e.AddPlugin<AlarmCollector>("Alarms", alarms));
        await engine.Engine.Started.WaitAsync(Wait.Long);

        engine.Engine.Publish<IAlarm>(new Fire("kitchen"));

        await Wait.Until(() => alarms.Count == 1, () => "the alarm at its IAlarm handler; log:\n" + engine.Log.Dump());
        Assert.Equal("Fire in kitchen", alarms.Items.Single());
        Assert.False(engine.Log.Contains("has no handler for it"), engine.Log.Dump());
    }

    public sealed class AlarmCollector : EventPlugin
    {
        public AlarmCollector(Received<string> received) => Subscribe<IAlarm>(a => received.Add($"{a.GetType().Name} in {a.Where}"));
    }
}
