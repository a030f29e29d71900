using System.Diagnostics;
using System.Text.RegularExpressions;
using NetMQ;
using NetMQ.Sockets;
using Xunit.Abstractions;

namespace EventEngine.Actors.FaultTests;

/// <summary>
/// Stopping an engine process under full load (the load test at full speed, a Python plugin process reading in
/// batches, a TCP subscriber on the subscribe port): it exits in order, leaves no plugin process behind and no engine
/// thread running. The bound here is loose; `FaultHost measure-shutdown` measures the figure in docs/reliability.md.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    // Measured by measure-shutdown (docs/reliability.md, commit 0183f72): about 0.1 s on a quiet machine, medians of
    // 0.5-2.5 s and a worst round of 3.3 s (host-stop) at load average 34-39. Three times that worst case, so a busy
    // machine does not fail the test; a shutdown that hangs still does.
    private static readonly TimeSpan LooseBound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("sigterm")]
    [InlineData("ctrl-c")]
    [InlineData("host-stop")]
    [InlineData("host-sigterm")]
    public async Task Under_full_load_the_engine_process_exits_in_order_with_no_orphan_and_no_engine_thread_left(string way)
    {
        var hosted = way.StartsWith("host", StringComparison.Ordinal);
        using var engine = hosted ? ChildProcess.FaultHost("load", "--host") : ChildProcess.FaultHost("load");
        var ready = await engine.WaitForMatch(@"^ready pid=\d+ publish=\d+ subscribe=(\d+)");
        var python = int.Parse((await engine.WaitForMatch(@"python pid=(\d+)")).Groups[1].Value);
        using var subscriber = new SubscriberSocket(); // an outside subscriber: the bridge's wire is busy too
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{ready.Groups[1].Value}");
        subscriber.Subscribe("OperatorMsg");
        await engine.WaitForMatch("^loaded$");
        Assert.True(subscriber.TryReceiveFrameString(TimeSpan.FromSeconds(20), out var frame), "the outside subscriber got nothing under load");
        Assert.StartsWith("OperatorMsg", frame);

        var clock = Stopwatch.StartNew();
        switch (way)
        {
            case "sigterm" or "host-sigterm":
                engine.Signal(Native.SigTerm);
                break;
            case "ctrl-c":
                engine.Signal(Native.SigInt);
                break;
            default:
                engine.WriteLine("stop"); // IHostApplicationLifetime.StopApplication()
                break;
        }
        var code = await engine.WaitForExit(TimeSpan.FromSeconds(60));
        clock.Stop();
        Assert.True(code == 0, $"exit code {code}:\n{engine.Tail()}");
        output.WriteLine($"{way}: exited in {clock.ElapsedMilliseconds} ms; {engine.Lines[^1]}");

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, LooseBound);
        var exit = Regex.Match(engine.Lines[^1], @"^exit code=0 stop_ms=(\d+) engine_threads_left=(\d+) threads=\[(.*)\]$");
        Assert.True(exit.Success, engine.Tail());
        Assert.Equal("0", exit.Groups[2].Value); // no bridge, gateway or launcher thread outlived the actor system
        await Wait.Until(() => !ProcInfo.IsAlive(python), $"the Python plugin {python} gone with the engine");
        Assert.DoesNotContain(engine.Lines, l => l.StartsWith("ERROR", StringComparison.Ordinal));
    }
}
