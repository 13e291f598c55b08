using System.Text.Json.Serialization;

namespace Tessera.Server.Errors;

/// <summary>IBM's error envelope: <c>{"trace", "errors":[{"code","message","details"?}], "status_code"}</c>.</summary>
internal sealed record IbmErrorBody(
    [property: JsonPropertyName("trace")] string Trace,
    [property: JsonPropertyName("errors")] IReadOnlyList<IbmErrorItem> Errors,
    [property: JsonPropertyName("status_code")] int StatusCode);

internal sealed record IbmErrorItem(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("details"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IbmErrorDetails? Details = null,
    [property: JsonPropertyName("more_info"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MoreInfo = null);

internal sealed record IbmErrorDetails(
    [property: JsonPropertyName("conflicts_with")] IbmConflict? ConflictsWith);

internal sealed record IbmConflict(
    [property: JsonPropertyName("etag")] string ETag,
    // The existing policy in the view the client wrote in (a V1Policy or a V2Policy).
    [property: JsonPropertyName("policy")] object Policy);
