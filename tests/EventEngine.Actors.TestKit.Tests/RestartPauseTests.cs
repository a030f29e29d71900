using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using Xunit;
using Xunit.Abstractions;

namespace EventEngine.Actors.TestKit.Tests;

/// <summary>A plugin that fails before the start-up barrier passes gets its start request during the restart pause.</summary>
public class RestartPauseTests(ITestOutputHelper output) : EventEngineTestKit(output)
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    /// <summary>Fails on any text message; its start hook takes a while (a connection being set up).</summary>
    public sealed class FailsBeforeItsStart : EventPlugin
    {
        private readonly IActorRef _probe;
        private readonly StrongBox<int> _hooks;

        public FailsBeforeItsStart(IActorRef probe, StrongBox<int> hooks)
        {
            _probe = probe;
            _hooks = hooks;
            Receive<string>(why => throw new InvalidOperationException(why));
        }

        protected override async Task OnStartAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _hooks.Value);
            _probe.Tell("hook started");
            await Task.Delay(Pause, cancellationToken);
            Publish(new Pong(1));
        }
    }

    [Fact]
    public void A_start_request_that_arrives_during_the_restart_pause_runs_the_hook_once_after_the_pause()
    {
        var hooks = new StrongBox<int>();
        var plugin = StartPlugin<FailsBeforeItsStart>(
            new PluginTestOptions { HoldStart = true, Hocon = $"event-engine.supervision.restart-pause = {Pause.TotalMilliseconds}ms" }, TestActor, hooks);
        var sinceTheFailure = Stopwatch.StartNew();

        plugin.Ref.Tell("not ready yet");
        plugin.ExpectRestarts(1);
        plugin.StartPlugins(); // the barrier passes while the plugin is paused after its restart

        ExpectMsg("hook started", TimeSpan.FromSeconds(20));
        Assert.True(sinceTheFailure.Elapsed >= Pause, $"the start hook ran {sinceTheFailure.Elapsed} after the failure, inside the {Pause} restart pause");
        plugin.ExpectPublished(new Pong(1), TimeSpan.FromSeconds(20));
        Assert.Equal(1, hooks.Value);
    }
}
