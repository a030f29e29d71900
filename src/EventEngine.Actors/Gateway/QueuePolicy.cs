using Akka.Configuration;
using EventEngine.Actors.Configuration;

namespace EventEngine.Actors.Gateway;

/// <summary>What happens to an event for an external plugin whose queue already holds <c>max-queue</c> events.</summary>
internal enum QueueOverflow
{
    /// <summary>Queue it anyway; its publishers pause through flow control (nothing is lost). The default.</summary>
    Backpressure,

    /// <summary>Queue it and drop the oldest queued event (counted, reason queue-full).</summary>
    DropOldest,

    /// <summary>Drop it (counted, reason queue-full).</summary>
    DropNewest,

    /// <summary>Drop everything queued, end the plugin's session and count it as finished.</summary>
    DropAndFinish,
}

/// <summary>
/// How much an external plugin's queue may hold and what happens when the plugin cannot keep up or never turns
/// up: <c>max-queue</c>, <c>on-queue-full</c>, <c>connect-timeout</c> and <c>on-connect-timeout</c>, read from the
/// plugin's entry under <c>event-engine.external-plugins</c> with <c>event-engine.gateway</c> as the default.
/// </summary>
/// <param name="MaxQueue">Events queued for the plugin at which <paramref name="OnFull"/> applies.</param>
/// <param name="OnFull">What happens to an event that finds the queue full.</param>
/// <param name="ConnectTimeout">How long after the start-up barrier a plugin may go without connecting.</param>
/// <param name="OnConnectTimeout">What happens to a plugin that has not connected by then.</param>
internal sealed record QueuePolicy(int MaxQueue, QueueOverflow OnFull, TimeSpan ConnectTimeout, DisconnectPolicy OnConnectTimeout)
{
    /// <summary>The policy of <paramref name="plugin"/>: its own keys, else the gateway's.</summary>
    public static QueuePolicy For(string plugin, Config section)
    {
        var own = $"external-plugins.\"{plugin}\"";
        string PathOf(string key) => section.HasPath($"{own}.{key}") ? $"{own}.{key}" : $"gateway.{key}";
        var maxQueuePath = PathOf("max-queue");
        var maxQueue = Setting.Int(section, maxQueuePath);
        if (maxQueue < 1) throw Setting.Invalid(section, maxQueuePath, "a whole number of at least 1");
        var timeoutPath = PathOf("connect-timeout");
        var timeout = Setting.Duration(section, timeoutPath);
        if (timeout <= TimeSpan.Zero) throw Setting.Invalid(section, timeoutPath, "a positive duration");
        return new QueuePolicy(
            maxQueue,
            Setting.Enum<QueueOverflow>(section, PathOf("on-queue-full")),
            timeout,
            Setting.Enum<DisconnectPolicy>(section, PathOf("on-connect-timeout")));
    }
}
