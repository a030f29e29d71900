using System.Reflection;
using Akka.Configuration.Hocon;
using Microsoft.Extensions.DependencyInjection;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// Checks, when a plugin is registered, that one of its public constructors takes the arguments given: in order
/// (optional parameters may be left out), or, with the host's services, in any order with the other parameters
/// resolved from the services (Akka.DependencyInjection's rule, <c>ActivatorUtilities</c>). A mismatch is an error
/// naming the plugin and the constructors it has, at registration rather than at the plugin's creation.
/// </summary>
internal static class PluginConstructors
{
    /// <summary>The arguments to pass to the matching constructor in order (defaults of left-out optional parameters added).</summary>
    /// <exception cref="ArgumentException">No public constructor takes <paramref name="args"/>.</exception>
    public static object?[] Bind(string plugin, Type type, object?[] args)
    {
        // Plain loops: every plugin registration runs this on the engine's start-up path, where LINQ's first calls cost
        // milliseconds of JIT.
        foreach (var constructor in Ordered(type))
        {
            var parameters = constructor.GetParameters();
            if (Takes(parameters, args)) return WithDefaults(parameters, args);
        }
        throw Mismatch(plugin, type, Given(args), "");
    }

    private static bool Takes(ParameterInfo[] parameters, object?[] args)
    {
        if (parameters.Length < args.Length) return false;
        for (var i = 0; i < parameters.Length; i++)
            if (i < args.Length ? !Fits(args[i], parameters[i].ParameterType) : !parameters[i].HasDefaultValue) return false;
        return true;
    }

    private static object?[] WithDefaults(ParameterInfo[] parameters, object?[] args)
    {
        if (parameters.Length == args.Length) return (object?[])args.Clone();
        var all = new object?[parameters.Length];
        args.CopyTo(all, 0);
        for (var i = args.Length; i < parameters.Length; i++) all[i] = parameters[i].DefaultValue;
        return all;
    }

    /// <summary>Checks that a constructor takes <paramref name="args"/> with its other parameters resolved from <paramref name="services"/>.</summary>
    /// <exception cref="ArgumentException">No public constructor does.</exception>
    public static void Check(string plugin, Type type, object?[] args, IServiceProvider services)
    {
        var isService = services.GetService<IServiceProviderIsService>();
        foreach (var constructor in Ordered(type))
        {
            var parameters = constructor.GetParameters();
            var taken = new bool[parameters.Length];
            var allPlaced = args.All(arg =>
            {
                var index = Array.FindIndex(parameters, p => !taken[p.Position] && arg is not null && p.ParameterType.IsInstanceOfType(arg));
                if (index < 0) return false;
                taken[index] = true;
                return true;
            });
            if (allPlaced && parameters.Where(p => !taken[p.Position]).All(p => p.HasDefaultValue || isService?.IsService(p.ParameterType) != false))
                return;
        }
        throw Mismatch(plugin, type, Given(args), " with the other parameters resolved from the host's services");
    }

    /// <summary>
    /// Converts arguments written in HOCON (numbers, strings, booleans, durations, enum names, lists of these) to the
    /// types of a public constructor's parameters, in order; with <paramref name="services"/>, parameters the services
    /// resolve are skipped. Optional parameters after the arguments may be left out.
    /// </summary>
    /// <exception cref="ArgumentException">No public constructor takes <paramref name="args"/>.</exception>
    public static object?[] FromHocon(string plugin, Type type, IReadOnlyList<HoconValue> args, IServiceProvider? services)
    {
        var isService = services?.GetService<IServiceProviderIsService>();
        foreach (var constructor in Ordered(type))
        {
            var parameters = constructor.GetParameters().Where(p => isService?.IsService(p.ParameterType) != true).ToArray();
            if (parameters.Length < args.Count || parameters.Skip(args.Count).Any(p => !p.HasDefaultValue)) continue;
            var converted = new object?[args.Count];
            if (Enumerable.Range(0, args.Count).All(i => HoconArgument.TryConvert(args[i], parameters[i].ParameterType, out converted[i])))
                return converted;
        }
        var given = $"[{string.Join(", ", args.Select(a => a.ToString()))}] (HOCON args, in the order of the parameters{(services is null ? "" : " not resolved from the host's services")})";
        throw Mismatch(plugin, type, given, "");
    }

    // Fewest parameters first; a stable sort, so constructors with as many keep their declared order.
    private static ConstructorInfo[] Ordered(Type type)
    {
        var constructors = type.GetConstructors();
        for (var i = 1; i < constructors.Length; i++)
            for (var j = i; j > 0 && constructors[j - 1].GetParameters().Length > constructors[j].GetParameters().Length; j--)
                (constructors[j - 1], constructors[j]) = (constructors[j], constructors[j - 1]);
        return constructors;
    }

    private static bool Fits(object? arg, Type parameter) =>
        arg is null ? !parameter.IsValueType || Nullable.GetUnderlyingType(parameter) is not null : parameter.IsInstanceOfType(arg);

    private static string Given(object?[] args) => $"({string.Join(", ", args.Select(a => a?.GetType().Name ?? "null"))})";

    private static ArgumentException Mismatch(string plugin, Type type, string given, string how)
    {
        var constructors = type.GetConstructors().Select(c => $"{type.Name}({string.Join(", ", c.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})");
        var nameHint = given == "()" ? " (a single string argument is taken as the plugin's name: pass the name first, then the arguments)" : "";
        return new ArgumentException(
            $"plugin '{plugin}': no public constructor of {type.Name} takes {given}{how}{nameHint}; its constructors: {string.Join("; ", constructors)}",
            "args");
    }
}
