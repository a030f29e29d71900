using System.Net.Sockets;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Cli;

/// <summary>Nothing answers where the engine should be: the message says where and what to try.</summary>
internal sealed class EngineUnreachableException(string message) : Exception(message);

/// <summary>
/// Where the engine's ports are (its publish and subscribe ports, the original's 5559/5560 by default) and how to
/// reach them: plain TCP, or CURVE with the server's public key.
/// </summary>
internal sealed record EngineEndpoint(string Host, int PublishPort, int SubscribePort, string? CurveServerKey)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A SUB socket on the subscribe port, subscribed to <paramref name="prefix"/>.</summary>
    public SubscriberSocket Subscriber(string prefix, int receiveHighWaterMark = 1000)
    {
        EnsureListening(SubscribePort, "subscribe");
        var socket = new SubscriberSocket();
        socket.Options.ReceiveHighWatermark = receiveHighWaterMark;
        Secure(socket);
        socket.Connect(Address(SubscribePort));
        socket.Subscribe(prefix);
        return socket;
    }

    /// <summary>
    /// An XPUB socket connected to the publish port, returned once the engine has subscribed to it (the engine's XSUB
    /// subscribes to everything on connect), so nothing published after this is dropped as by a slow joiner.
    /// </summary>
    public XPublisherSocket Publisher(int sendHighWaterMark = 1000)
    {
        EnsureListening(PublishPort, "publish");
        var socket = new XPublisherSocket();
        socket.Options.SendHighWatermark = sendHighWaterMark; // a PUB drops what is beyond it
        Secure(socket);
        socket.Connect(Address(PublishPort));
        if (!socket.TryReceiveFrameBytes(ConnectTimeout, out _))
        {
            socket.Dispose();
            throw new EngineUnreachableException(
                $"the engine at {Address(PublishPort)} accepted the connection but never subscribed: is it an EventEngine publish port{(CurveServerKey is null ? " (with CURVE on, pass --curve-server-key)" : " (is the CURVE key right?)")}?");
        }
        return socket;
    }

    private string Address(int port) => $"tcp://{Host}:{port}";

    private void Secure(NetMQSocket socket)
    {
        if (CurveServerKey is null) return;
        socket.Options.CurveServerCertificate = NetMQCertificate.FromPublicKey(CurveServerKey);
        socket.Options.CurveCertificate = new NetMQCertificate();
    }

    /// <summary>zmq connects lazily and never fails; a plain TCP connect tells at once whether anything listens.</summary>
    private void EnsureListening(int port, string what)
    {
        using var probe = new TcpClient();
        try
        {
            if (probe.ConnectAsync(Host, port).Wait(ConnectTimeout)) return;
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
        }
        throw new EngineUnreachableException(
            $"no engine at {Host}:{port} ({what} port) — is it running? Start one (dotnet run --project example/EventEngine.Example) or pass --host/--{what}-port");
    }
}
