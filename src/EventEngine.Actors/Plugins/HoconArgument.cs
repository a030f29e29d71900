using System.Globalization;
using Akka.Configuration.Hocon;

namespace EventEngine.Actors.Plugins;

/// <summary>
/// Converts a constructor argument written in HOCON to a parameter's type: strings, numbers, booleans (on/off,
/// true/false, yes/no), <see cref="TimeSpan"/> (HOCON durations such as 500ms or 30s), enum names (kebab case
/// allowed), nullable forms of these, and arrays or lists of them.
/// </summary>
internal static class HoconArgument
{
    public static bool TryConvert(HoconValue value, Type type, out object? result)
    {
        result = null;
        try
        {
            result = Convert(value, Nullable.GetUnderlyingType(type) ?? type);
            return result is not null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException or Akka.Configuration.ConfigurationException)
        {
            return false;
        }
    }

    private static object? Convert(HoconValue value, Type type)
    {
        if (ElementTypeOf(type) is { } element)
        {
            if (!value.IsArray()) return null;
            var items = value.GetArray().Select(v => Convert(v, element)).ToList();
            if (items.Any(i => i is null)) return null;
            var array = Array.CreateInstance(element, items.Count);
            for (var i = 0; i < items.Count; i++) array.SetValue(items[i], i);
            return type.IsArray || type.IsAssignableFrom(array.GetType()) ? array : Activator.CreateInstance(type, array);
        }
        if (!value.IsString()) return null;
        var text = value.GetString();
        if (type == typeof(string)) return text;
        if (type == typeof(bool)) return value.GetBoolean();
        if (type == typeof(TimeSpan)) return value.GetTimeSpan();
        if (type.IsEnum)
            return Enum.TryParse(type, text.Replace("-", ""), ignoreCase: true, out var member) && !text.Any(char.IsDigit) ? member : null;
        if (type.IsPrimitive || type == typeof(decimal))
            return System.Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>The element type of an array or of a list type an array converts to (<c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, ...).</summary>
    private static Type? ElementTypeOf(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType || type.GetGenericArguments() is not [var element]) return null;
        var array = element.MakeArrayType();
        return type.IsAssignableFrom(array) || type.GetConstructor([typeof(IEnumerable<>).MakeGenericType(element)]) is not null ? element : null;
    }
}
