using Akka.Hosting;
using EventEngine.Actors.HostAccess;
using EventEngine.Actors.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventEngine.Actors.Tests.Readme;

/// <summary>
/// The README's "With a Generic Host" snippet, compiled: the lines between the markers are the README's verbatim
/// (ReadmeTests checks it), with the quick start's plugins.
/// </summary>
public static class GenericHostSnippet
{
    public static void Configure(HostApplicationBuilder builder)
    {
        // README begin
        builder.Services
            .AddSingleton<INotifier, LogNotifier>()                       // plugins take services in their constructors
            .AddEventEngineServices()                                      // EventEngine, IEventPublisher, IEventSubscriber
            .AddAkka("my-app", akka => akka
                .ConfigureLoggers(loggers => loggers.AddLoggerFactory())   // Akka logging -> Microsoft.Extensions.Logging
                .WithEventEngine(builder.Configuration.GetSection("EventEngine").Get<EventEngineOptions>(), // appsettings.json
                    (engine, services) => engine.AddPlugin<Thermometer>().AddPlugin<Alarm>()));
        // README end
    }
}
