using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Client.Models;

/// <summary>
/// An object the API answered. Fields this version of the client does not model are kept in <see cref="Unmodeled"/>,
/// so writing the object out again (the CLI's <c>--output json</c>) gives back everything the server sent.
/// </summary>
public abstract record ApiObject
{
    [JsonExtensionData]
    // Settable rather than init-only: System.Text.Json binds init-only members like constructor parameters, which extension data cannot be.
    public Dictionary<string, JsonElement>? Unmodeled { get; set; }
}
