using Akka.Hosting;
using EventEngine.Actors.Hosting;
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
        builder.Services.AddAkka("my-app", akka => akka
            .ConfigureLoggers(loggers => loggers.AddLoggerFactory())      // Akka logging -> Microsoft.Extensions.Logging
            .AddHocon("event-engine.run-mode = service", HoconAddMode.Prepend)
            .WithEventEngine(engine => engine.AddPlugin<Thermometer>().AddPlugin<Alarm>()));
        // README end
    }
}
