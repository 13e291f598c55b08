using System.Text.Json;

namespace Tessera.Server.Http;

/// <summary>
/// Strict readers for request JSON that name the exact path of what is wrong ("subjects[0].attributes[1].value must be
/// a string"). A reader throws <see cref="BadShapeException"/>, which never leaves the parse call that catches it.
/// </summary>
internal static class JsonShape
{
    public static void OnlyProperties(JsonElement obj, string path, params ReadOnlySpan<string> allowed)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
                throw new BadShapeException($"{Join(path, property.Name)} is not a known attribute; allowed: {string.Join(", ", allowed.ToArray())}");
        }
    }

    public static JsonElement Object(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new BadShapeException($"{Describe(path)} must be a JSON object");
        return element;
    }

    public static JsonElement? OptionalProperty(JsonElement obj, string name)
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name != name)
                continue;
            if (found is not null)
                throw new BadShapeException($"'{name}' appears more than once");
            found = property.Value;
        }
        return found is { ValueKind: JsonValueKind.Null } ? null : found;
    }

    public static JsonElement RequiredProperty(JsonElement obj, string path, string name) =>
        OptionalProperty(obj, name) ?? throw new BadShapeException($"{Join(path, name)} is required");

    public static string String(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
            throw new BadShapeException($"{Describe(path)} must be a string, not {Kind(element)}");
        return element.GetString()!;
    }

    public static string RequiredString(JsonElement obj, string path, string name) => String(RequiredProperty(obj, path, name), Join(path, name));

    public static string? OptionalString(JsonElement obj, string path, string name) =>
        OptionalProperty(obj, name) is { } value ? String(value, Join(path, name)) : null;

    public static JsonElement.ArrayEnumerator Array(JsonElement element, string path, int minItems, int maxItems)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw new BadShapeException($"{Describe(path)} must be an array, not {Kind(element)}");
        var count = element.GetArrayLength();
        if (count < minItems || count > maxItems)
        {
            throw new BadShapeException(minItems == maxItems
                ? $"{Describe(path)} must have exactly {minItems} item{(minItems == 1 ? string.Empty : "s")}, found {count}"
                : $"{Describe(path)} must have {minItems} to {maxItems} items, found {count}");
        }
        return element.EnumerateArray();
    }

    /// <summary>An array's items (its size checked first), each with its path, <c>path[i]</c>, for the errors about it.</summary>
    public static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement element, string path, int minItems, int maxItems)
    {
        var index = 0;
        foreach (var item in Array(element, path, minItems, maxItems))
            yield return (item, $"{path}[{index++}]");
    }

    /// <summary>The same, each item an object with no property but <paramref name="allowed"/>.</summary>
    public static IEnumerable<(JsonElement Item, string Path)> Objects(JsonElement element, string path, int minItems, int maxItems, params string[] allowed)
    {
        foreach (var (item, itemPath) in Items(element, path, minItems, maxItems))
        {
            Object(item, itemPath);
            OnlyProperties(item, itemPath, allowed);
            yield return (item, itemPath);
        }
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Describe(string path) => path.Length == 0 ? "the request body" : path;

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}

/// <summary>A request body of the wrong shape; the message is written for the client.</summary>
internal sealed class BadShapeException(string message) : Exception(message);
