using Akka.Actor;
using Akka.Hosting;
using EventEngine.Actors.HostAccess;
using Microsoft.Extensions.DependencyInjection;

namespace EventEngine.Actors.Hosting;

/// <summary>Registers EventEngine.Actors in an Akka.Hosting actor system.</summary>
public static class AkkaConfigurationBuilderExtensions
{
    /// <summary>
    /// Adds an event engine to the actor system (see <see cref="WithEventEngine(AkkaConfigurationBuilder, EventEngineOptions?, Action{EventEngineBuilder, IServiceProvider})"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithEventEngine(this AkkaConfigurationBuilder builder, Action<EventEngineBuilder> configure) =>
        builder.WithEventEngine(null, (engine, _) => configure(engine));

    /// <summary>
    /// Adds an event engine to the actor system: <paramref name="options"/> as HOCON over the configuration,
    /// <c>run-mode = service</c> as the default (a host runs until it is stopped; set <see cref="EventEngineOptions.RunMode"/>
    /// to end it when every plugin has finished), the reference HOCON as fallback, and a start-up step that starts the
    /// engine with the plugins <paramref name="configure"/> declares (given the host's services; plugins registered by
    /// type take services in their constructors). The engine is registered in the <see cref="ActorRegistry"/> (its
    /// plugins' supervisor under the key <see cref="EventEngine"/>); <see cref="AddEventEngineServices"/> puts it,
    /// <see cref="IEventPublisher"/> and <see cref="IEventSubscriber"/> in the host's services.
    /// </summary>
    /// <example><code>
    /// builder.Services
    ///     .AddEventEngineServices()
    ///     .AddAkka("app", akka => akka
    ///         .ConfigureLoggers(l => l.AddLoggerFactory())
    ///         .WithEventEngine(builder.Configuration.GetSection("EventEngine").Get&lt;EventEngineOptions&gt;(),
    ///             (engine, services) => engine.AddPlugin&lt;Counter&gt;()));
    /// </code></example>
    public static AkkaConfigurationBuilder WithEventEngine(this AkkaConfigurationBuilder builder, EventEngineOptions? options,
        Action<EventEngineBuilder, IServiceProvider> configure)
    {
        if (options?.ToHocon() is { Length: > 0 } hocon) builder.AddHocon(hocon, HoconAddMode.Prepend);
        builder.AddHocon("event-engine.run-mode = service", HoconAddMode.Append);
        builder.AddHocon(EventEngine.ReferenceConfig, HoconAddMode.Append);
        builder.AddStartup((system, registry) =>
        {
            var engine = EventEngine.Start(system, engineBuilder => configure(engineBuilder, engineBuilder.Services ?? EmptyServices.Instance));
            registry.Register<EventEngine>(engine.Supervisor);
        });
        return builder;
    }

    /// <summary>
    /// Registers the engine of the host's actor system (<see cref="EventEngine"/>), its <see cref="IEventPublisher"/> and
    /// its <see cref="IEventSubscriber"/> as singletons, for endpoints and background services to inject.
    /// </summary>
    public static IServiceCollection AddEventEngineServices(this IServiceCollection services) => services
        .AddSingleton(sp => EventEngine.Of(sp.GetRequiredService<ActorSystem>()))
        .AddSingleton(sp => sp.GetRequiredService<EventEngine>().Publisher)
        .AddSingleton(sp => sp.GetRequiredService<EventEngine>().Subscriber);

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
