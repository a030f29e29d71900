using Akka.Actor;
using EventEngine.Actors.Configuration;
using EventEngine.Actors.Plugins;

namespace EventEngine.Actors.Supervision;

/// <summary>A plugin to run: its unique name (also its actor name) and how to create it.</summary>
internal sealed record PluginRegistration(string Name, Props Props)
{
    /// <summary>The props it runs with: on its dispatcher, in the plugins' mailbox.</summary>
    public Props RunProps(EngineSettings settings) =>
        Props.WithDispatcher(settings.DispatcherFor(Name)).WithMailbox(PluginMailbox.ConfigPath);
}
