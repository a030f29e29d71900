using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using EventEngine.Actors.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Creates a plugin from its type and constructor arguments (optional parameters may be left out; with services, the
/// other parameters come from them) and remembers why that failed: the supervisor stops a plugin that cannot be
/// created without logging the cause, and the test should name it. The arguments are checked when the producer is made.
/// </summary>
internal sealed class RecordingProducer : IIndirectActorProducer
{
    private readonly object?[] _args;
    private readonly IServiceProvider? _services;
    private readonly Action<string, Exception> _failed;

    /// <exception cref="ArgumentException">No constructor of <paramref name="actorType"/> takes <paramref name="args"/>.</exception>
    public RecordingProducer(string name, Type actorType, object?[] args, IServiceProvider? services, Action<string, Exception> failed)
    {
        ActorType = actorType;
        _services = services;
        _failed = failed;
        if (services is null)
        {
            _args = PluginConstructors.Bind(name, actorType, args);
        }
        else
        {
            PluginConstructors.Check(name, actorType, args, services);
            _args = args;
        }
    }

    public Type ActorType { get; }

    public ActorBase Produce()
    {
        try
        {
            return _services is null
                ? (ActorBase)Activator.CreateInstance(ActorType, _args)!
                : (ActorBase)ActivatorUtilities.CreateInstance(_services, ActorType, _args!);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            _failed($"its constructor threw {inner.GetType().Name}: {inner.Message}", inner);
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
        catch (InvalidOperationException e) when (_services is not null)
        {
            _failed($"its constructor's services could not be resolved: {e.Message}", e);
            throw;
        }
    }

    public void Release(ActorBase actor)
    {
    }
}
