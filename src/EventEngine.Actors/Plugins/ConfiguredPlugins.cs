using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// Adds the plugins declared in HOCON: every <c>event-engine.plugins.NAME</c> with a <c>type</c> (and optional
/// <c>args</c>) is registered as <c>AddPlugin</c> would register it, or as EventEngine.Actors.Cluster's
/// <c>AddSingletonPlugin</c> with <c>singleton = on</c>. A mistake fails the engine's start with the key.
/// </summary>
internal static class ConfiguredPlugins
{
    public static void AddTo(EventEngineBuilder builder, Config section)
    {
        if (!section.HasPath("plugins")) return;
        foreach (var name in section.GetValue("plugins").GetObject().Items.Keys)
        {
            var path = $"plugins.\"{name}\"";
            if (!section.HasPath($"{path}.type")) continue; // settings of a plugin registered in code
            var type = TypeAt(section, path, name);
            IReadOnlyList<HoconValue> args = section.HasPath($"{path}.args") ? ArgsAt(section, path, name) : [];
            try
            {
                var constructorArgs = PluginConstructors.FromHocon(name, type, args, builder.Services);
                if (IsSingleton(section, path, name)) builder.AddSingletonPlugin(name, builder.PropsFor(name, type, constructorArgs));
                else builder.AddPlugin(name, type, constructorArgs);
            }
            catch (ArgumentException e)
            {
                throw new EventEngineException($"event-engine.plugins.{name}: {e.Message}", e);
            }
        }
    }

    private static bool IsSingleton(Config section, string path, string name)
    {
        if (!section.HasPath($"{path}.singleton")) return false;
        var value = section.GetValue($"{path}.singleton");
        return value.GetString() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw new EventEngineException($"event-engine.plugins.{name}.singleton = {value} is not valid: expected on or off"),
        };
    }

    private static Type TypeAt(Config section, string path, string name)
    {
        var typeName = section.GetString($"{path}.type") ?? "";
        var type = Type.GetType(typeName, throwOnError: false)
                   ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        if (type is null)
            throw new EventEngineException($"event-engine.plugins.{name}.type = \"{typeName}\": no such type is loaded; " +
                                           "write its assembly-qualified name, e.g. \"MyApp.Thermostat, MyApp\"");
        if (!typeof(EventPlugin).IsAssignableFrom(type) || type.IsAbstract)
            throw new EventEngineException($"event-engine.plugins.{name}.type = \"{typeName}\": {type.FullName} is not a concrete EventPlugin");
        return type;
    }

    private static IReadOnlyList<HoconValue> ArgsAt(Config section, string path, string name)
    {
        var value = section.GetValue($"{path}.args");
        return value.IsArray()
            ? [.. value.GetArray()]
            : throw new EventEngineException($"event-engine.plugins.{name}.args = {value} is not valid: expected a list of constructor arguments, e.g. [20.0, 1000]");
    }
}
