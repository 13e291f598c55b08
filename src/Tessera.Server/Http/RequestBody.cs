using System.Text.Json;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>
/// A small JSON object body read under the size cap, with only the named properties allowed. Getters collect the first
/// problem in <see cref="Problem"/> instead of throwing, so a handler reads every field and then answers one clear 400.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private readonly JsonDocument? _document;

    private RequestBody(JsonDocument? document, IbmError? error)
    {
        _document = document;
        Error = error;
    }

    /// <summary>Set when the body could not be read at all (not JSON, too large): answer it as is.</summary>
    public IbmError? Error { get; }

    public string? Problem { get; private set; }

    private JsonElement Root => _document?.RootElement ?? default;

    public static async ValueTask<RequestBody> ReadAsync(HttpContext context, CancellationToken cancellationToken, params string[] allowed)
    {
        var (document, error) = await JsonBody.ReadAsync(context, cancellationToken);
        var body = new RequestBody(document, error);
        if (document is null)
            return body;
        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            body.Problem = "the request body must be a JSON object";
            return body;
        }
        foreach (var property in body.Root.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
                body.Problem ??= $"'{property.Name}' is not a known property; expected {string.Join(", ", allowed)}";
        }
        return body;
    }

    /// <summary>The value of an object property, for bodies with nested shapes; null when absent.</summary>
    public JsonElement? Property(string name) =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>Notes a problem found by the handler itself, unless one was found first.</summary>
    public void Reject(string problem) => Problem ??= problem;

    public string? RequiredText(string name, int maxLength) => Text(name, maxLength, required: true);

    public string? OptionalText(string name, int maxLength) => Text(name, maxLength, required: false);

    public bool OptionalBoolean(string name)
    {
        if (Root.ValueKind != JsonValueKind.Object || !Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return false;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        Problem ??= $"'{name}' must be true or false";
        return false;
    }

    private string? Text(string name, int maxLength, bool required)
    {
        if (Root.ValueKind != JsonValueKind.Object || !Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
                Problem ??= $"'{name}' is required";
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem ??= $"'{name}' must be a string";
            return null;
        }
        var text = value.GetString()!.Trim();
        if (text.Length == 0 || text.Length > maxLength)
        {
            Problem ??= $"'{name}' must be 1 to {maxLength} characters";
            return null;
        }
        return text;
    }

    public void Dispose() => _document?.Dispose();
}
