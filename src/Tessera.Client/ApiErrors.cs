using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Tessera.Client;

/// <summary>Reads an error answer, in any of IBM's envelopes, into a <see cref="TesseraApiException"/>.</summary>
internal static class ApiErrors
{
    public const string TransactionIdHeader = "Transaction-Id";

    public static async Task<TesseraApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var transactionId = response.Headers.TryGetValues(TransactionIdHeader, out var ids) ? ids.FirstOrDefault() : null;
        var (code, message, trace) = Parse(text);
        return new TesseraApiException(response.StatusCode,
            code ?? "http_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
            message ?? (text.Length is > 0 and <= 200 ? text.Trim() : response.ReasonPhrase ?? response.StatusCode.ToString()),
            transactionId ?? trace,
            RetryAfter(response));
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    // Policy management and the rest: {"trace", "errors": [{"code", "message"}], "status_code"}; the token server:
    // {"errorCode", "errorMessage", "context": {"requestId"}}.
    private static (string? Code, string? Message, string? Trace) Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return default;
            var trace = Text(root, "trace");
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                return (Text(errors[0], "code"), Text(errors[0], "message"), trace);
            if (Text(root, "errorCode") is { } tokenCode)
            {
                var requestId = root.TryGetProperty("context", out var context) ? Text(context, "requestId") : null;
                return (tokenCode, Text(root, "errorMessage"), requestId);
            }
            return (null, Text(root, "message"), trace);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool IsRetryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests;
}
