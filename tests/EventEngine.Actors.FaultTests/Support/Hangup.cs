using System.Diagnostics;
using System.Net.Sockets;

namespace EventEngine.Actors.FaultTests.Support;

/// <summary>Tells a connection the engine closed apart from one it merely stopped answering on.</summary>
internal static class Hangup
{
    /// <summary>
    /// True if the other side closed the connection (end of stream, or a reset) within <paramref name="timeout"/>;
    /// false if it was still open then, since a read timeout is not a hang-up. Reading discards what the other side sent,
    /// or copies it to <paramref name="seen"/>.
    /// </summary>
    public static bool ClosedWithin(TcpClient tcp, TimeSpan timeout, Stream? seen = null)
    {
        var socket = tcp.Client;
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        try
        {
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                seen?.Write(buffer, 0, n);
                if (clock.Elapsed > timeout) return false; // it keeps talking
            }
            return true;
        }
        catch (SocketException)
        {
            return clock.Elapsed < timeout * 0.9; // a reset (Linux may call it "timed out"), not our receive timeout
        }
    }

    /// <summary>
    /// Writes <paramref name="junk"/> to a new connection to <paramref name="port"/>, ends the sending side, and asserts
    /// that the engine closes the connection (it may hang up before it has read everything).
    /// </summary>
    public static void SendJunkAndExpectClose(int port, byte[] junk)
    {
        using var tcp = new TcpClient("127.0.0.1", port) { SendTimeout = 10_000 };
        try
        {
            tcp.GetStream().Write(junk);
            tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: not (SocketError.TimedOut or SocketError.WouldBlock) })
        {
            // the engine hung up while we wrote
        }
        Assert.True(ClosedWithin(tcp, TimeSpan.FromSeconds(10)), $"port {port} kept a connection open after {junk.Length} bytes of junk and the end of its stream");
    }
}
