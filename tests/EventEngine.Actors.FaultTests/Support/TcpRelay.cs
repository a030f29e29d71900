using System.Net;
using System.Net.Sockets;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>A TCP relay on 127.0.0.1 that records every byte crossing it in both directions (what an eavesdropper sees).</summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MemoryStream _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = new();

    public TcpRelay(int target)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, target);
                lock (_clients) _clients.AddRange([inbound, outbound]);
                _ = Pump(inbound.GetStream(), outbound.GetStream());
                _ = Pump(outbound.GetStream(), inbound.GetStream());
            }
        });
    }

    public int Port { get; }

    /// <summary>Everything that crossed the relay so far.</summary>
    public byte[] Seen
    {
        get
        {
            lock (_seen) return _seen.ToArray();
        }
    }

    private async Task Pump(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (_seen) _seen.Write(buffer, 0, n);
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // closed
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients) _clients.ForEach(c => c.Dispose());
    }
}
