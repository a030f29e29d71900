using Akka.Configuration;

namespace EventEngine.Actors.Configuration;

/// <summary>
/// Reads one value of the <c>event-engine</c> section. A value of the wrong kind fails with one line naming the
/// key, the value and what is allowed (HOCON's own errors name none of them).
/// </summary>
internal static class Setting
{
    public static int Int(Config section, string path) => Read(section, path, "a whole number", c => c.GetInt(path));

    public static bool Bool(Config section, string path) => Read(section, path, "on or off", c => c.GetBoolean(path));

    public static TimeSpan Duration(Config section, string path) => Read(section, path, "a duration such as 500ms, 30s or 1m", c => c.GetTimeSpan(path));

    public static long? ByteSize(Config section, string path) => Read(section, path, "a size such as 65536, 512KiB or 16MiB", c => c.GetByteSize(path));

    /// <summary>An enum value written in kebab case (<c>drop-and-finish</c> for <c>DropAndFinish</c>).</summary>
    public static T Enum<T>(Config section, string path) where T : struct, System.Enum
    {
        var value = section.GetString(path) ?? "";
        // The non-generic parse and a span search: the generic ones are compiled anew for every enum, on the start-up path.
        if (System.Enum.TryParse(typeof(T), value.Replace("-", ""), ignoreCase: true, out var result) && value.AsSpan().IndexOfAnyInRange('0', '9') < 0)
            return (T)result;
        throw Invalid(path, $"'{value}'", "one of: " + string.Join(", ", System.Enum.GetNames<T>().Select(KebabCase)));
    }

    /// <summary>The error for the value at <paramref name="path"/>, as written: <c>event-engine.PATH = VALUE is not valid: expected ALLOWED</c>.</summary>
    public static EventEngineException Invalid(Config section, string path, string allowed, Exception? inner = null) =>
        Invalid(path, Raw(section, path), allowed, inner);

    /// <summary>The error for a bad value: <c>event-engine.PATH = VALUE is not valid: expected ALLOWED</c>.</summary>
    public static EventEngineException Invalid(string path, string value, string allowed, Exception? inner = null) =>
        new($"event-engine.{path} = {value} is not valid: expected {allowed}", inner!);

    private static T Read<T>(Config section, string path, string allowed, Func<Config, T> read)
    {
        try
        {
            return read(section);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or InvalidCastException or ArgumentException or NotSupportedException)
        {
            throw Invalid(section, path, allowed, e);
        }
    }

    private static string Raw(Config section, string path) => section.HasPath(path) ? section.GetValue(path).ToString() : "(missing)";

    private static string KebabCase(string name) =>
        string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
}
