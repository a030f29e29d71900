using System.CommandLine;
using Akka.Configuration;
using EventEngine.Actors;
using EventEngine.Actors.Dashboard;
using EventEngine.Actors.Gateway;
using EventEngine.Samples.Example;
using NetMQ;

// The original event-engine's example application: MsgProducer and Counter run in process, PyPlugin is an
// external Python plugin on its own port (launched by the engine unless --no-launch). Exits 0 once all are done.
var noLaunch = new Option<bool>("--no-launch") { Description = "Do not start the Python plugin; wait for one started by someone else on the plugin port" };
var publishPort = new Option<int>("--publish-port") { Description = "TCP port unregistered processes publish to (0 = ephemeral)", DefaultValueFactory = _ => 5559 };
var subscribePort = new Option<int>("--subscribe-port") { Description = "TCP port unregistered processes subscribe to (0 = ephemeral)", DefaultValueFactory = _ => 5560 };
var pluginPort = new Option<int>("--plugin-port") { Description = "TCP port of the PyPlugin external plugin (0 = ephemeral)", DefaultValueFactory = _ => 6000 };
var pluginScript = new Option<string?>("--plugin-script") { Description = "The Python plugin the engine launches (default: example/pyplugin/plugin.py of this repository); a plugin written for the original (`from events import ...`) runs unchanged" };
var bindAddress = new Option<string?>("--bind-address")
{
    Description = "Interface every port binds to (default: $EVENT_ENGINE_BIND_ADDRESS, else 127.0.0.1); 0.0.0.0 lets plugins on other machines or containers connect",
};
var dashboard = new Option<bool>("--dashboard") { Description = "Serve the live dashboard (and keep running after the plugins finish, until Ctrl+C)" };
var dashboardPort = new Option<int>("--dashboard-port") { Description = "TCP port of the dashboard (0 = ephemeral)", DefaultValueFactory = _ => 0 };
var root = new RootCommand("The original event-engine example on EventEngine.Actors: MsgProducer and Counter in process, PyPlugin in Python")
{
    noLaunch, publishPort, subscribePort, pluginPort, pluginScript, bindAddress, dashboard, dashboardPort,
};
root.SetAction(async (parse, _) =>
{
    var repo = RepoLayout.Find();
    var launch = !parse.GetValue(noLaunch);
    var script = parse.GetValue(pluginScript) ?? repo?.PluginScript;
    if (launch && (script is null || !File.Exists(script)))
    {
        Console.Error.WriteLine($"example: cannot find the Python plugin ({script ?? "example/pyplugin/plugin.py"}); pass --plugin-script, or --no-launch to start it yourself");
        return 2;
    }
    var bind = parse.GetValue(bindAddress) is { } address ? $"bind-address = {RepoLayout.Quote(address)}" : "";
    var config = ConfigurationFactory.ParseString($$"""
        {{ConsoleLogger.Hocon}}
        {{repo?.PythonPathHocon}}
        event-engine {
          wire { publish-port = {{parse.GetValue(publishPort)}}, subscribe-port = {{parse.GetValue(subscribePort)}} }
          {{bind}}
          {{(parse.GetValue(dashboard) ? $"run-mode = service, dashboard {{ enabled = on, port = {parse.GetValue(dashboardPort)} }}" : "")}}
        }
        """);
    int exit;
    try
    {
        exit = await EventEngineApplication.RunAsync(
            engine =>
            {
                engine.AddExamplePlugins().AddExternalPlugin("PyPlugin", parse.GetValue(pluginPort), ["TypeA", "TypeB"], launch ? [script!] : null);
                if (parse.GetValue(dashboard)) engine.AddDashboard();
            },
            config,
            engine =>
            {
                if (!launch)
                {
                    var port = engine.ExternalPluginPort("PyPlugin");
                    Console.WriteLine($"Waiting for PyPlugin on tcp://{engine.Settings.BindAddress}:{port}. From the repository's folder, for example:\n" +
                        $"  this example's plugin:                     PYTHONPATH=pyevents EVENT_ENGINE_PORT={port} /usr/bin/python3 example/pyplugin/plugin.py\n" +
                        $"  a plugin written for the original engine:  PYTHONPATH=pyevents:pyevents/compat EVENT_ENGINE_PORT={port} /usr/bin/python3 path/to/plugin.py\n" +
                        "  (EVENT_ENGINE_HOST, default 127.0.0.1, is the engine's address for a plugin on another machine; see docs/migrating.md)");
                }
                if (EventEngineDashboard.AddressOf(engine) is { } address) Console.WriteLine($"dashboard: {address}");
                Console.WriteLine("ready");
            },
            "example");
    }
    catch (Exception e) when (e is EventEngineException or ConfigurationException)
    {
        Console.Error.WriteLine($"example: {e.Message}");
        exit = 1;
    }
    NetMQConfig.Cleanup(block: false);
    return exit;
});
return await root.Parse(args).InvokeAsync();
