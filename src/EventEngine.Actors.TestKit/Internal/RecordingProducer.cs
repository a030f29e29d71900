using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace EventEngine.Actors.TestKit.Internal;

/// <summary>
/// Creates a plugin from its type and constructor arguments (optional parameters may be left out) and remembers why
/// that failed: the supervisor stops a plugin that cannot be created without logging the cause, and the test should
/// name it.
/// </summary>
internal sealed class RecordingProducer : IIndirectActorProducer
{
    private readonly object?[] _args;
    private readonly Action<string, Exception> _failed;

    public RecordingProducer(Type actorType, object?[] args, Action<string, Exception> failed)
    {
        ActorType = actorType;
        _args = args;
        _failed = failed;
    }

    public Type ActorType { get; }

    public ActorBase Produce()
    {
        var (constructor, arguments) = Bind();
        try
        {
            return (ActorBase)constructor.Invoke(arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            _failed($"its constructor threw {inner.GetType().Name}: {inner.Message}", inner);
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    public void Release(ActorBase actor)
    {
    }

    private (ConstructorInfo, object?[]) Bind()
    {
        foreach (var constructor in ActorType.GetConstructors().OrderBy(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            if (parameters.Length < _args.Length || parameters.Skip(_args.Length).Any(p => !p.HasDefaultValue)) continue;
            if (!_args.Select((a, i) => a is null ? !parameters[i].ParameterType.IsValueType : parameters[i].ParameterType.IsInstanceOfType(a)).All(ok => ok)) continue;
            return (constructor, [.. _args, .. parameters.Skip(_args.Length).Select(p => p.DefaultValue)]);
        }
        var given = string.Join(", ", _args.Select(a => a?.GetType().Name ?? "null"));
        var failure = new ArgumentException(
            $"no public constructor of {ActorType.Name} takes ({given}); it has: {string.Join("; ", ActorType.GetConstructors().Select(c => $"({string.Join(", ", c.GetParameters().Select(p => p.ParameterType.Name))})"))}");
        _failed($"{failure.Message}", failure);
        throw failure;
    }
}
