using System.Collections.Immutable;
using Akka.Actor;

namespace EventEngine.Actors.Bridge;

/// <summary>
/// Sets a subscriber's prefixes (replacing earlier ones); answered with <see cref="SubscriptionsActive"/>.
/// <paramref name="ReadsFrames"/>: it reads the frame of every delivery it gets (an external plugin's session, a link
/// to another node), so a publication routed to it encodes its frame once and keeps it. <paramref name="TakesBatches"/>:
/// it handles <see cref="DeliveryBatch"/> as well as single deliveries (a plugin).
/// </summary>
internal sealed record Subscribe(IActorRef Subscriber, ImmutableArray<byte[]> Prefixes, bool ReadsFrames = false, bool TakesBatches = false);

/// <summary>Removes a subscriber from the routing table.</summary>
internal sealed record Unsubscribe(IActorRef Subscriber);

/// <summary>The subscriber's prefixes are in the routing table every publisher reads from now on.</summary>
internal sealed class SubscriptionsActive
{
    public static readonly SubscriptionsActive Instance = new();
    private SubscriptionsActive() { }
}

/// <summary>The prefixes outside subscribers hold on the XPUB changed.</summary>
internal sealed record OutsidePrefixes(ImmutableDictionary<string, byte[]> Prefixes);


/// <summary>
/// Asks the bridge to tell <paramref name="Observer"/> every routing snapshot it publishes (as a <see cref="RoutingChanged"/>),
/// the current one first. The cluster's subscription directory reads this node's prefixes from it.
/// </summary>
internal sealed record ObserveRouting(IActorRef Observer);

/// <summary>The bridge published a new routing snapshot.</summary>
internal sealed record RoutingChanged(RoutingTable Table);
