using System.Collections.Concurrent;
using Akka.Hosting;
using EventEngine.Actors.Hosting;
using EventEngine.Samples.Example;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventEngine.Actors.Tests;

public class HostingTests
{
    [Fact]
    public async Task WithEventEngine_runs_the_plugins_in_a_generic_host_logs_through_MEL_and_stops_the_host_when_they_finish()
    {
        var logged = new ConcurrentQueue<string>();
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new CollectingProvider(logged)))
            .ConfigureServices(services => services.AddAkka("hosted", akka => akka
                .AddHocon("event-engine.wire { publish-port = 0, subscribe-port = 0 }", HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithEventEngine(engine => engine.AddExamplePlugins().AddPlugin<Goodbye>("PyPlugin"))))
            .Build();

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(logged, line => line.Contains("MsgProducer publishing TypeA 'This is message 4'"));
        Assert.Contains(logged, line => line.Contains("MsgProducer done: 5 TypeB and 1 TypeC received"));
    }

    private sealed class CollectingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(lines);

        public void Dispose() { }

        private sealed class Collecting(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
