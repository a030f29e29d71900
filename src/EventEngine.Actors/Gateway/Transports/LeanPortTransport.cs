using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using EventEngine.Actors.Sockets;

namespace EventEngine.Actors.Gateway.Transports;

/// <summary>
/// A plugin port on the lean ZMTP 3 endpoint (<see cref="ZmtpReplyEndpoint"/>, NULL mechanism only): one thread of its
/// own reads the TCP connections and runs the port's serving logic, so a round trip crosses no I/O thread, thread-pool
/// completion or mailbox. A connection's id stands for a ROUTER identity in the <see cref="Envelope"/>.
/// </summary>
internal sealed class LeanPortTransport : IPortTransport
{
    private readonly ZmtpReplyEndpoint _endpoint;
    private readonly Action _timedOut;
    private IPortRequests? _requests;

    /// <summary>Binds the port; throws <see cref="EventEngineException"/> if the bind fails.</summary>
    public LeanPortTransport(string plugin, string bindAddress, int port, long maxMessageSize, int maxConnections, ILoggingAdapter log)
    {
        _timedOut = () => _requests!.WaitTimedOut();
        try
        {
            _endpoint = new ZmtpReplyEndpoint($"port of plugin {plugin}", Address(bindAddress), port, maxMessageSize, maxConnections, log,
                request => _requests!.Handle(new Envelope([Identity(request.Connection)], request.Delimited), request.Body),
                delta => _requests!.ConnectionsChanged(delta));
        }
        catch (SocketException e)
        {
            throw new EventEngineException($"cannot bind the port of external plugin '{plugin}' tcp://{bindAddress}:{port}: {(e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is already in use" : e.Message)}", e);
        }
    }

    public int Port => _endpoint.Port;

    public void Start(IPortRequests requests)
    {
        _requests = requests;
        _endpoint.Start();
    }

    public void Post(Action action) => _endpoint.Post(action);

    public void Reply(Envelope to, ReadOnlySpan<byte[]> frames) =>
        _endpoint.Reply(BinaryPrimitives.ReadInt32BigEndian(to.Identity), to.Delimited, frames);

    public void StartTimer(int milliseconds) => _endpoint.StartTimer(TimeSpan.FromMilliseconds(milliseconds), _timedOut);

    public void StopTimer() => _endpoint.StopTimer();

    public void Dispose() => _endpoint.Dispose();

    private static byte[] Identity(int connection)
    {
        var identity = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(identity, connection);
        return identity;
    }

    // Bind addresses are IP literals (checked with the settings) or "*".
    private static IPAddress Address(string bindAddress) => bindAddress == "*" ? IPAddress.Any : IPAddress.Parse(bindAddress.Trim('[', ']'));
}
