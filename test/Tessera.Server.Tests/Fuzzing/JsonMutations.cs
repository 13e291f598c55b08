using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>Structural mutations of a JSON body: values swapped for ones of another type or shape, properties removed.</summary>
internal static class JsonMutations
{
    private static readonly JsonNode?[] Replacements =
    [
        null, 0, -1, 1e300, 1.5, long.MaxValue, true, false, "", " ", new string('z', 1200), "crn:v1:x", "crn:v1:bluemix:public:::::",
        "stringMatch", "*", "../../etc", "\u0000", "é✓", new JsonArray(), new JsonObject(), new JsonArray(1, 2), new JsonObject { ["k"] = "v" },
    ];

    /// <summary>One to three mutations of <paramref name="body"/>, in place.</summary>
    public static void Mutate(JsonObject body, Random random)
    {
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var nodes = Flatten(body).ToList();
            if (nodes.Count == 0)
            {
                body["added"] = Replacements[random.Next(Replacements.Length)]?.DeepClone();
                continue;
            }
            var (parent, key) = nodes[random.Next(nodes.Count)];
            var replacement = Replacements[random.Next(Replacements.Length)]?.DeepClone();
            switch (parent)
            {
                case JsonObject obj when random.Next(5) == 0:
                    obj.Remove((string)key);
                    break;
                case JsonObject obj:
                    obj[(string)key] = replacement;
                    break;
                case JsonArray array:
                    array[(int)key] = replacement;
                    break;
            }
        }
    }

    private static IEnumerable<(JsonNode Parent, object Key)> Flatten(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    yield return (obj, key);
                    if (child is not null)
                        foreach (var inner in Flatten(child))
                            yield return inner;
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i);
                    if (array[i] is { } child)
                        foreach (var inner in Flatten(child))
                            yield return inner;
                }
                break;
        }
    }
}
