using Akka.Actor;

namespace EventEngine.Actors.Supervision;

/// <summary>A plugin to run: its unique name (also its actor name) and how to create it.</summary>
internal sealed record PluginRegistration(string Name, Props Props);
