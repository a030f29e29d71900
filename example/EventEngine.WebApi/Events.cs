namespace EventEngine.WebApi;

/// <summary>An order placed over HTTP (<c>POST /events/order</c>).</summary>
public sealed record Order(string Id, string Item, int Quantity);

/// <summary>The <see cref="OrderDesk"/> plugin's reaction to an <see cref="Order"/>, priced by <see cref="IPriceList"/>.</summary>
public sealed record OrderConfirmed(string Id, decimal Total);
