namespace EventEngine.Actors.Plugins;

/// <summary>Plugin to its supervisor: my subscriptions are active; I am ready for the start-up barrier.</summary>
internal sealed class PluginReady
{
    public static readonly PluginReady Instance = new();
    private PluginReady() { }
}

/// <summary>Supervisor to plugin: every plugin is ready; run your start hook.</summary>
internal sealed class StartPlugin
{
    public static readonly StartPlugin Instance = new();
    private StartPlugin() { }
}

/// <summary>Plugin to its supervisor: I have finished (the plugin stops right after).</summary>
internal sealed class PluginFinished
{
    public static readonly PluginFinished Instance = new();
    private PluginFinished() { }
}

/// <summary>What a plugin keeps across restarts: its flow-control window and where it is in its life.</summary>
internal sealed class PluginState
{
    public PluginState(FlowControl.CreditWindow credit) => Credit = credit;

    public FlowControl.CreditWindow Credit { get; }

    public bool Ready { get; set; }

    /// <summary>The start-up barrier has passed for this plugin: it handles events and its start hook runs.</summary>
    public bool StartRequested { get; set; }

    /// <summary>The start hook has completed: the plugin counts as started and the hook never runs again.</summary>
    public bool StartHookCompleted { get; set; }

    /// <summary>The plugin said it has finished (it stops right after).</summary>
    public bool Finished { get; set; }

    /// <summary>For a singleton plugin (one instance in the cluster), the node it runs on; null for a plugin of this node.</summary>
    public string? SingletonNode { get; set; }

    /// <summary>The prefixes last registered with the bridge (a restarted instance re-registers only if they differ).</summary>
    public System.Collections.Immutable.ImmutableArray<byte[]> Prefixes { get; set; } = [];
}
