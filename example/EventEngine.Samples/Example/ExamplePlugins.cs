using EventEngine.Actors;

namespace EventEngine.Samples.Example;

/// <summary>Registers the original example's internal plugins.</summary>
public static class ExamplePlugins
{
    /// <summary>Adds MsgProducer and Counter.</summary>
    public static EventEngineBuilder AddExamplePlugins(this EventEngineBuilder engine) =>
        engine.AddPlugin<MsgProducer>().AddPlugin<Counter>();
}
