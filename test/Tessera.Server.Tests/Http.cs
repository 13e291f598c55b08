using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests;

/// <summary>Small helpers for sending JSON and reading IBM's error envelope in assertions.</summary>
internal static class Http
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(
        this HttpClient client, HttpMethod method, string path, object? body = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            var text = body as string ?? (body as JsonNode)?.ToJsonString() ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        var response = await client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        var json = content.Length == 0 ? default : JsonDocument.Parse(content).RootElement.Clone();
        return (response.StatusCode, json, response);
    }

    /// <summary>Asserts IBM's envelope and returns the first error's message.</summary>
    public static string AssertIbmError(JsonElement body, HttpStatusCode status, string code)
    {
        Assert.Equal((int)status, body.GetProperty("status_code").GetInt32());
        Assert.Matches("^[0-9a-zA-Z_.-]+$", body.GetProperty("trace").GetString()!);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error.GetProperty("message").GetString()!;
    }

    public static string ETag(this HttpResponseMessage response) => response.Headers.ETag?.Tag ?? response.Headers.GetValues("ETag").Single();
}
