using System.Net.Sockets;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.FaultHost.Soak;

/// <summary>
/// Processes the engine does not know, in cycles until stopped: a TCP subscriber that connects to the subscribe port,
/// reads for a while and goes; and hostile peers that write bytes that are not zmq to the publish port, the subscribe
/// port and a plugin port, then vanish. Their junk bytes are all above 0x7F, so nothing of it can match a filter.
/// A sample taken under <see cref="Quiet"/> sees none of their connections open.
/// </summary>
internal sealed class Outsiders(int publishPort, int subscribePort, int pluginPort)
{
    private readonly SemaphoreSlim _quiet = new(1, 1);
    private readonly Random _random = new(10);

    public long Subscribers { get; private set; }

    public long FramesReceived { get; private set; }

    public long HostilePeers { get; private set; }

    /// <summary>Runs <paramref name="action"/> between two cycles (no outsider connected).</summary>
    public async Task<T> Quiet<T>(Func<T> action)
    {
        await _quiet.WaitAsync();
        try
        {
            return action();
        }
        finally
        {
            _quiet.Release();
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _quiet.WaitAsync(CancellationToken.None);
            try
            {
                Subscribe(TimeSpan.FromMilliseconds(_random.Next(200, 1000)));
                foreach (var port in new[] { publishPort, subscribePort, pluginPort }) await Hostile(port);
            }
            finally
            {
                _quiet.Release();
            }
            try
            {
                await Task.Delay(_random.Next(100, 500), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Subscribe(TimeSpan stay)
    {
        using var subscriber = new SubscriberSocket();
        subscriber.Options.Linger = TimeSpan.Zero;
        subscriber.Connect($"tcp://127.0.0.1:{subscribePort}");
        subscriber.Subscribe("Seq");
        subscriber.Subscribe("Burst");
        var until = DateTime.UtcNow + stay;
        while (DateTime.UtcNow < until)
            if (subscriber.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(50), out _)) FramesReceived++;
        Subscribers++;
    }

    private async Task Hostile(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            var junk = new byte[_random.Next(1, 4096)];
            _random.NextBytes(junk);
            for (var i = 0; i < junk.Length; i++) junk[i] = (byte)(0x80 | junk[i] % 0x7F); // 0x80..0xFE: never 0xFF (ZMTP 3's signature)
            await client.GetStream().WriteAsync(junk);
            HostilePeers++;
        }
        catch (IOException)
        {
            HostilePeers++; // the engine hung up on it first: as it should
        }
        catch (SocketException)
        {
            HostilePeers++;
        }
    }
}
