using EventEngine.Actors.Sockets;

namespace EventEngine.Actors.Gateway.Tests;

/// <summary>The lean endpoint's byte queue: what goes in comes out in order, across growth, compaction and shrinking.</summary>
public sealed class PooledBufferTests
{
    [Fact]
    public void Bytes_come_out_in_order_across_growth_and_compaction()
    {
        using var buffer = new PooledBuffer();
        var random = new Random(13);
        var written = new List<byte>();
        var read = new List<byte>();
        for (var i = 0; i < 2000; i++)
        {
            var chunk = new byte[random.Next(0, 20_000)];
            random.NextBytes(chunk);
            if (i % 2 == 0) buffer.Append(chunk);
            else
            {
                chunk.CopyTo(buffer.FreeSpace(chunk.Length)); // as a socket receive fills it
                buffer.Advance(chunk.Length);
            }
            written.AddRange(chunk);
            var take = random.Next(0, buffer.Length + 1);
            read.AddRange(buffer.Data[..take].ToArray());
            buffer.Consume(take);
        }
        read.AddRange(buffer.Data.ToArray());
        buffer.Consume(buffer.Length);
        Assert.Equal(written, read);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void A_large_buffer_emptied_is_given_back_and_the_next_use_starts_small()
    {
        using var buffer = new PooledBuffer();
        buffer.Append(new byte[1024 * 1024]);
        buffer.Consume(buffer.Length);
        Assert.InRange(buffer.FreeSpace(1).Length, 1, 64 * 1024);
        buffer.Append("abc"u8);
        Assert.Equal("abc"u8.ToArray(), buffer.Data.ToArray());
    }
}
