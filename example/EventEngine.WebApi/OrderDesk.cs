using EventEngine.Actors.Plugins;

namespace EventEngine.WebApi;

/// <summary>Prices items; a host service the plugin takes in its constructor.</summary>
public interface IPriceList
{
    /// <summary>The unit price of <paramref name="item"/>.</summary>
    ValueTask<decimal> PriceOfAsync(string item, CancellationToken cancellationToken);
}

/// <summary>A fixed price list; a real one would call a database or another service.</summary>
public sealed class FixedPriceList : IPriceList
{
    /// <inheritdoc />
    public async ValueTask<decimal> PriceOfAsync(string item, CancellationToken cancellationToken)
    {
        await Task.Yield(); // stands in for I/O: the plugin's handler awaits it
        return item.Length; // one per letter
    }
}

/// <summary>Invoices each order, priced by the injected <see cref="IPriceList"/>.</summary>
public sealed class OrderDesk : EventPlugin
{
    /// <summary>Subscribes to orders; <paramref name="prices"/> comes from the host's services.</summary>
    public OrderDesk(IPriceList prices) => Subscribe<Order>(async (order, token) =>
    {
        var price = await prices.PriceOfAsync(order.Item, token);
        Publish(new Invoice(order.Id, price * order.Quantity));
    });
}
