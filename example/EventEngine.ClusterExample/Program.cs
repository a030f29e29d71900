using System.CommandLine;
using EventEngine.ClusterExample;
using NetMQ;

// The original event-engine's example across three engine nodes of one Akka cluster: MsgProducer on node 1, Counter
// on node 2, the Python PyPlugin launched by node 3. `--nodes 3` runs all three on this machine (one process each,
// loopback); `--node N --seed host:port` runs one node, as on separate machines (docs/cluster.md).
var nodes = new Option<int?>("--nodes") { Description = $"Run the whole example: this many node processes on loopback (the example has {ExampleNode.Count}); the default" };
var node = new Option<int?>("--node") { Description = "Run one node: 1 (MsgProducer), 2 (Counter) or 3 (PyPlugin, launched by the node)" };
var seed = new Option<string?>("--seed") { Description = "host:port of a node already running (node 1's address, which it prints); without it the node starts the cluster" };
var host = new Option<string>("--host") { Description = "Address this node listens on and other nodes reach it at", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "Port this node listens on (0 = ephemeral)", DefaultValueFactory = _ => 0 };
var pluginPort = new Option<int>("--plugin-port") { Description = "TCP port of the PyPlugin external plugin on node 3 (0 = ephemeral)", DefaultValueFactory = _ => 6000 };
var pluginScript = new Option<string?>("--plugin-script") { Description = "The Python plugin node 3 launches (default: example/pyplugin/plugin.py of this repository)" };
var timeout = new Option<int>("--timeout") { Description = "With --nodes: seconds after which nodes still running are stopped and the run fails", DefaultValueFactory = _ => 120 };
var root = new RootCommand("The original event-engine example across three EventEngine.Actors nodes: MsgProducer, Counter and PyPlugin on one node each")
{
    nodes, node, seed, host, port, pluginPort, pluginScript, timeout,
};
root.Validators.Add(result =>
{
    if (result.GetValue(nodes) is { } n && n != ExampleNode.Count)
        result.AddError($"--nodes {n}: the example has {ExampleNode.Count} parts, one per node (1 MsgProducer, 2 Counter, 3 PyPlugin), so --nodes must be {ExampleNode.Count}");
    if (result.GetValue(node) is { } one && one is < 1 or > ExampleNode.Count)
        result.AddError($"--node {one}: choose 1 (MsgProducer), 2 (Counter) or 3 (PyPlugin)");
    if (result.GetValue(nodes) is not null && result.GetValue(node) is not null)
        result.AddError("--nodes runs every node, --node one of them: give one of the two");
});
root.SetAction(async (parse, _) =>
{
    var exit = parse.GetValue(node) is { } one
        ? await ExampleNode.RunAsync(one, parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(seed), parse.GetValue(pluginPort), parse.GetValue(pluginScript))
        : await ExampleCluster.RunAsync(parse.GetValue(pluginPort), parse.GetValue(pluginScript), TimeSpan.FromSeconds(parse.GetValue(timeout)));
    NetMQConfig.Cleanup(block: false);
    return exit;
});
return await root.Parse(args).InvokeAsync();
