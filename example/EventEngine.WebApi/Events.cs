namespace EventEngine.WebApi;

/// <summary>An order placed over HTTP (<c>POST /events/order</c>).</summary>
public sealed record Order(string Id, string Item, int Quantity);

/// <summary>
/// The <see cref="OrderDesk"/> plugin's reaction to an <see cref="Order"/>, priced by <see cref="IPriceList"/>. (A type's
/// name is its filter, matched as a prefix: a name such as <c>OrderConfirmed</c> would also reach <see cref="Order"/>'s subscribers.)
/// </summary>
public sealed record Invoice(string Id, decimal Total);
