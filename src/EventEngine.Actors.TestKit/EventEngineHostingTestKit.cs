using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Akka.TestKit.Xunit2.Internals;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// A TestKit for applications that register their engine through Akka.Hosting: each test runs a Generic Host whose
/// actor system hosts the engine under test (with the plugins <see cref="ConfigureEngine"/> declares), next to the
/// services and Akka setup the test adds. The TestKit's actor system is the host's, so ExpectMsg, probes and
/// EventFilter work as usual; <see cref="Engine"/> publishes into the engine and observes it.
/// </summary>
/// <remarks>
/// Akka.Hosting.TestKit 1.5.7x is built on xUnit v3, which cannot run in an xUnit 2 test project; this class gives the
/// same shape (ConfigureServices, ConfigureAkka, a started host per test) on xUnit 2 with Akka.Hosting directly.
/// </remarks>
public abstract class EventEngineHostingTestKit : TestKitBase, IAsyncLifetime
{
    private readonly string _actorSystemName;
    private IHost? _host;
    private EngineUnderTest? _engine;
    private Exception? _startupFailure;
    private bool _systemReady;

    /// <summary>Prepares the test; the host starts before each test (xUnit's InitializeAsync).</summary>
    /// <param name="output">xUnit's test output, for Akka's log.</param>
    /// <param name="actorSystemName">The actor system's name.</param>
    protected EventEngineHostingTestKit(ITestOutputHelper? output = null, string actorSystemName = "test")
        : base(new XunitAssertions())
    {
        Output = output;
        _actorSystemName = actorSystemName;
    }

    /// <summary>xUnit's test output.</summary>
    protected ITestOutputHelper? Output { get; }

    /// <summary>The running host.</summary>
    public IHost Host => _host ?? throw new InvalidOperationException("the host starts in InitializeAsync, before the test runs");

    /// <summary>The engine under test in the host's actor system.</summary>
    public EngineUnderTest Engine => _engine ?? throw new InvalidOperationException("the engine starts in InitializeAsync, before the test runs");

    /// <summary>How the engine runs: in memory only by default (<c>Wire = false</c>); turn the wire on for integration tests.</summary>
    protected virtual EngineTestOptions EngineOptions => new() { Wire = false };

    /// <summary>Akka configuration of the actor system (on top of the TestKit's defaults).</summary>
    protected virtual Config? Config => null;

    /// <summary>One plugin of the engine, by name.</summary>
    public PluginUnderTest Plugin(string name) => Engine.Plugin(name);

    /// <summary>One plugin of the engine, by its type's name.</summary>
    public PluginUnderTest Plugin<TPlugin>() where TPlugin : EventPlugin => Engine.Plugin<TPlugin>();

    /// <summary>Declares the engine's plugins (as in <c>WithEventEngine(engine =&gt; ...)</c>).</summary>
    protected abstract void ConfigureEngine(EventEngineBuilder engine);

    /// <summary>Adds the test's services to the host.</summary>
    protected virtual void ConfigureServices(HostBuilderContext context, IServiceCollection services)
    {
    }

    /// <summary>Adds the test's Akka setup (actors, HOCON) to the actor system.</summary>
    protected virtual void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    /// <summary>Runs once the host and the engine have started, before the test.</summary>
    protected virtual Task BeforeTestStart() => Task.CompletedTask;

    /// <summary>Deferred until the host has created the actor system.</summary>
    protected sealed override void InitializeTest(ActorSystem system, ActorSystemSetup config, string actorSystemName, string testActorName)
    {
    }

    /// <summary>Starts the host and the engine, and waits until its plugins have subscribed.</summary>
    public virtual async Task InitializeAsync()
    {
        var builder = new HostBuilder().ConfigureServices((context, services) =>
        {
            ConfigureServices(context, services);
            services.AddAkka(_actorSystemName, (akka, provider) =>
            {
                akka.AddHocon(DefaultConfig, HoconAddMode.Prepend);
                if (Config is { } config) akka.AddHocon(config, HoconAddMode.Prepend);
                akka.AddHocon(global::EventEngine.Actors.EventEngine.ReferenceConfig, HoconAddMode.Append);
                akka.ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLogger<TestEventListener>();
                });
                ConfigureAkka(akka, provider);
                akka.AddStartup((system, _) =>
                {
                    try
                    {
                        base.InitializeTest(system, (ActorSystemSetup)null!, null!, null!);
                        _systemReady = true;
                        if (Output is not null) AttachOutput(system);
                        _engine = EngineUnderTest.Launch(this, system, ConfigureEngine, EngineOptions);
                    }
                    catch (Exception e)
                    {
                        _startupFailure = e;
                    }
                });
            });
        });
        _host = builder.Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await _host.StartAsync(cts.Token);
        if (_startupFailure is not null) throw _startupFailure;
        if (_engine is null) throw new InvalidOperationException("the engine did not start with the host");
        await Task.Run(() => _engine.WaitUntilRegistered());
        if (this is not INoImplicitSender && InternalCurrentActorCellKeeper.Current is null)
            InternalCurrentActorCellKeeper.Current = (ActorCell)((ActorRefWithCell)TestActor).Underlying;
        await BeforeTestStart();
    }

    /// <summary>Stops the actor system and the host.</summary>
    public virtual async Task DisposeAsync()
    {
        try
        {
            if (_systemReady) Shutdown();
            if (_host is not null)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _host.StopAsync(cts.Token);
            }
        }
        finally
        {
            _host?.Dispose();
        }
    }

    private void AttachOutput(ActorSystem system)
    {
        var logger = ((ExtendedActorSystem)system).SystemActorOf(Props.Create(() => new TestOutputLogger(Output!)), "log-test");
        logger.Ask<LoggerInitialized>(new InitializeLogger(system.EventStream), TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
    }
}
