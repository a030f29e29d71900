using Akka.Hosting;

namespace EventEngine.Actors.Hosting;

/// <summary>Registers EventEngine.Actors in an Akka.Hosting actor system.</summary>
public static class AkkaConfigurationBuilderExtensions
{
    /// <summary>
    /// Adds an event engine to the actor system: the reference HOCON as fallback and a start-up step that starts
    /// the engine with the plugins <paramref name="configure"/> declares. In run-to-completion mode the actor
    /// system (and with it the host) stops once every plugin has finished.
    /// </summary>
    /// <example><code>
    /// services.AddAkka("app", akka => akka
    ///     .ConfigureLoggers(l => l.AddLoggerFactory())
    ///     .WithEventEngine(engine => engine.AddPlugin&lt;Counter&gt;()));
    /// </code></example>
    public static AkkaConfigurationBuilder WithEventEngine(this AkkaConfigurationBuilder builder, Action<EventEngineBuilder> configure)
    {
        builder.AddHocon(EventEngine.ReferenceConfig, HoconAddMode.Append);
        builder.AddStartup((system, _) => EventEngine.Start(system, configure));
        return builder;
    }
}
