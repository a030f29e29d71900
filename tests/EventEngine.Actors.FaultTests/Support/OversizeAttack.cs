namespace EventEngine.Actors.FaultTests.Support;

/// <summary>A peer announcing a frame far beyond event-engine.wire.max-message-size, then pushing its bytes.</summary>
internal static class OversizeAttack
{
    private const ulong Announced = 1UL << 30; // 1 GiB

    /// <summary>
    /// Connects to <paramref name="port"/> as <paramref name="socketType"/> (after a valid ZMTP handshake), announces a
    /// 1 GiB frame and writes zeros until the engine hangs up. Asserts that it hung up long before the frame was
    /// through (what the kernel's socket buffers take aside) and that this process never allocated anything like the
    /// announced size meanwhile: the frame was refused at its header, never buffered whole.
    /// </summary>
    public static void AnnounceHugeFrame(int port, string socketType)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var peer = ZmtpPeer.Connect(port, socketType);
        if (socketType == "REQ") peer.WriteRaw([0x01, 0x00]); // the REQ delimiter
        peer.SendLongHeader(Announced);
        var chunk = new byte[64 * 1024];
        long written = 0;
        var refused = false;
        try
        {
            while (written < 256L * 1024 * 1024)
            {
                peer.WriteRaw(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            refused = peer.ClosedWithin(TimeSpan.FromSeconds(10)); // a send timeout (an engine that stopped reading) is no refusal
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(refused, $"the engine did not hang up on a frame announced as {Announced} bytes ({written} bytes written)");
        Assert.InRange(written, 0, 64L * 1024 * 1024);
        Assert.InRange(allocated, 0, 256L * 1024 * 1024); // the announced GiB was never allocated (other tests run meanwhile)
    }
}
