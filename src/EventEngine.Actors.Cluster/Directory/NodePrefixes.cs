using System.Collections.Immutable;
using EventEngine.Actors.Bridge;

namespace EventEngine.Actors.Cluster.Directory;

/// <summary>
/// A node's entry in the subscription directory: the distinct prefixes its subscribers hold (internal and external
/// plugins, host subscriptions, TCP subscribers), as a string of base64 prefixes in ordinal order separated by spaces
/// (a string replicates with Akka's own serializers and compares cheaply).
/// </summary>
internal static class NodePrefixes
{
    /// <summary>
    /// This node's entry from a routing snapshot, leaving out the links (children of <paramref name="directory"/>: they
    /// hold other nodes' prefixes), including one that has stopped but is still in this snapshot.
    /// </summary>
    public static string Of(RoutingTable table, Akka.Actor.ActorPath directory) =>
        Encode(table.Subscribers.Where(s => !s.Subscriber.Path.Parent.Equals(directory)).SelectMany(s => s.Prefixes).Concat(table.OutsidePrefixes));

    public static string Encode(IEnumerable<byte[]> prefixes) =>
        string.Join(' ', prefixes.Select(Convert.ToBase64String).Distinct().Order(StringComparer.Ordinal));

    /// <summary>Decodes an entry replicated from another node; a malformed word is skipped (and reported by the caller).</summary>
    public static ImmutableArray<byte[]> Decode(string entry, out int malformed)
    {
        var prefixes = ImmutableArray.CreateBuilder<byte[]>();
        malformed = 0;
        foreach (var word in entry.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var buffer = new byte[word.Length];
            if (Convert.TryFromBase64String(word, buffer, out var written)) prefixes.Add(buffer[..written]);
            else malformed++;
        }
        return prefixes.ToImmutable();
    }
}
