namespace Tessera.Errors;

/// <summary>
/// Every error code Tessera returns, in one place. The names are IBM's where IBM has one
/// (the Node SDK enumerates them), so that clients that switch on the code keep working.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidBody = "invalid_body";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientPermissions = "insufficent_permissions"; // sic: IBM's spelling
    public const string MissingRequiredQueryParameter = "missing_required_query_parameter";
    public const string InvalidQueryParameter = "invalid_query_parameter";
    public const string NotFound = "not_found";
    public const string PolicyNotFound = "policy_not_found";
    public const string PolicyConflict = "policy_conflict_error";
    public const string Conflict = "conflict";
    public const string Locked = "entity_locked";
    public const string NotEmpty = "resource_group_not_empty";
    public const string ServiceUnavailable = "service_unavailable";
    public const string TooManyRequests = "too_many_requests";
    public const string InvalidConsistencyToken = "invalid_consistency_token";
    public const string PreconditionFailed = "precondition_failed";
    public const string PreconditionRequired = "precondition_required";
    public const string UnsupportedContentType = "unsupported_content_type";
    public const string RequestTooLarge = "request_too_large";
    public const string UnsupportedPolicy = "unsupported_policy";
    public const string RoleNotSupported = "role_not_supported";
    public const string ServiceNotFound = "service_not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InternalError = "internal_error";

    /// <summary>The IAM token server's code for an API key it does not know.</summary>
    public const string ApiKeyNotFound = "BXNIM0415E";
    /// <summary>The IAM token server's code for a malformed token request.</summary>
    public const string InvalidTokenRequest = "BXNIM0109E";
}
