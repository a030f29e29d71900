using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.FaultTests;

/// <summary>Issue 10 item 7: dispatch matches publication.</summary>
public sealed class DispatchTests
{
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
