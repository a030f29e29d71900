using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.Dashboard.Tests;

/// <summary>The example application running with its dashboard on ephemeral ports, as a real process.</summary>
internal sealed class ExampleEngine(RunningProgram program, Uri dashboard, int publishPort) : IDisposable
{
    public Uri Dashboard { get; } = dashboard;

    public int PublishPort { get; } = publishPort;

    public string Output => program.Output;

    public static async Task<ExampleEngine> StartAsync()
    {
        var program = RunningProgram.Start(ProgramRunner.ExampleDll("EventEngine.Example"),
            "--dashboard", "--publish-port", "0", "--subscribe-port", "0", "--plugin-port", "0");
        try
        {
            var ports = await program.WaitForLine(@"publish port (\d+), subscribe port (\d+)", TimeSpan.FromSeconds(60));
            var dashboard = await program.WaitForLine(@"^dashboard: (http://127\.0\.0\.1:\d+/engine)$", TimeSpan.FromSeconds(60));
            await program.WaitForLine("MsgProducer done", TimeSpan.FromSeconds(60)); // the example's events have flowed
            return new ExampleEngine(program, new Uri(dashboard.Groups[1].Value), int.Parse(ports.Groups[1].Value));
        }
        catch
        {
            program.Dispose();
            throw;
        }
    }

    /// <summary>Publishes TypeA frames on the publish port, as an unregistered process would, until cancelled.</summary>
    public async Task PublishTypeAUntil(CancellationToken stop)
    {
        using var publisher = new PublisherSocket($">tcp://127.0.0.1:{PublishPort}");
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            publisher.SendFrame(Encoding.UTF8.GetBytes($"TypeAfrom the browser test {i}"));
            try { await Task.Delay(20, stop); } catch (OperationCanceledException) { }
        }
    }

    public void Dispose() => program.Dispose();
}
