using EventEngine.Actors.Cluster.Directory;

namespace EventEngine.Actors.Cluster.Tests;

public sealed class DirectoryEntryTests
{
    [Fact]
    public void A_nodes_entry_holds_each_distinct_prefix_once_and_decodes_to_the_same_bytes()
    {
        byte[][] prefixes = [[.. "TypeX"u8], [.. "TypeY"u8], [.. "TypeX"u8], [0, 255, (byte)' ']];
        var entry = NodePrefixes.Encode(prefixes);
        var decoded = NodePrefixes.Decode(entry, out var malformed);
        Assert.Equal(0, malformed);
        Assert.Equal(3, decoded.Length);
        Assert.All(prefixes, p => Assert.Contains(decoded, d => d.AsSpan().SequenceEqual(p)));
        Assert.Equal(entry, NodePrefixes.Encode(prefixes.Reverse())); // the same set gives the same entry
    }

    [Fact]
    public void A_malformed_word_in_an_entry_from_another_node_is_skipped_and_counted()
    {
        var decoded = NodePrefixes.Decode("VHlwZVg= not*base64 VHlwZVk=", out var malformed);
        Assert.Equal(1, malformed);
        Assert.Equal(["TypeX", "TypeY"], decoded.Select(p => System.Text.Encoding.ASCII.GetString(p)));
    }
}
