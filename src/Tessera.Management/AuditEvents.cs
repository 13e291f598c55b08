using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Model;

namespace Tessera.Management;

/// <summary>
/// Builds the CADF events of R8 (<c>reference/atracker-and-event-notifications.md</c> §4): one per change, and one per
/// refused attempt (401/403, severity <c>critical</c>). Request data never carries a secret: callers pass only what may
/// be recorded.
/// </summary>
public static class AuditEvents
{
    private static readonly AuditInitiator Anonymous = new("anonymous", "anonymous", "service/security/clientid", "public-access");

    /// <summary>An event for <paramref name="call"/>; <paramref name="status"/> is the HTTP status its answer carries.</summary>
    public static AuditEvent For(CallContext call, DateTimeOffset at, string accountId, string action, AuditTarget target, int status,
        string description, JsonNode? body = null) =>
        Build(call.Caller, call.Method, call.Path, call.TransactionId, at, accountId, action, target, status, description, body);

    /// <summary>An attempt without a valid token: there is no caller, only the request.</summary>
    public static AuditEvent Unauthenticated(string method, string path, string transactionId, DateTimeOffset at, string accountId, AuditTarget target) =>
        Build(null, method, path, transactionId, at, accountId, "iam-identity.token.validate", target, 401, "iam-identity.token.validate refused");

    /// <summary>The action of a token exchange (IBM Activity Tracker's name for an API-key login).</summary>
    public const string ApiKeyLoginAction = "iam-identity.apikey.login";

    /// <summary>An API key that matched no live key. The key is not recorded, only where the attempt came from.</summary>
    public static AuditEvent FailedTokenExchange(string clientAddress, string transactionId, DateTimeOffset at, string operatorAccount) =>
        Build(new Caller("anonymous@" + clientAddress, operatorAccount, "user"), "POST", "/identity/token", transactionId, at, operatorAccount, ApiKeyLoginAction,
            new AuditTarget(Crn.Of("iam-identity", operatorAccount, "endpoint", "identity_token").ToString(), "/identity/token", "iam-identity/endpoint"),
            400, $"an API key from {clientAddress} matched no key");

    /// <summary>How many refusals of one second were not recorded in this trail (the limiter's budget was spent).</summary>
    public static AuditEvent RefusalsNotRecorded(DateTimeOffset at, string accountId, long count, int perSecond)
    {
        var auditEvent = Build(null, "-", "-", "-", at, accountId, "iam-am.refusals.unrecorded",
            new AuditTarget(Crn.Of("iam-am", accountId, "trail", "refusals").ToString(), "refusals", "iam-am/trail"), 429,
            $"{count} refused requests were not recorded (at most {perSecond} a second are)");
        auditEvent.ResponseData!["unrecorded"] = count;
        return auditEvent;
    }

    /// <summary>A refused attempt: the caller was not allowed (403, or the 404 that hides one).</summary>
    public static AuditEvent Refusal(CallContext call, DateTimeOffset at, string accountId, string action, AuditTarget target) =>
        For(call, at, accountId, action, target, 403, $"{action} refused");

    private static AuditEvent Build(Caller? caller, string method, string path, string transactionId, DateTimeOffset at, string accountId,
        string action, AuditTarget target, int status, string description, JsonNode? body = null)
    {
        var failed = status >= 400;
        return new AuditEvent
        {
            Id = Ids.NewUuid(),
            AccountId = accountId,
            Action = action,
            EventTime = at,
            Initiator = caller is null ? Anonymous : new AuditInitiator(caller.IamId, caller.IamId, caller.InitiatorTypeUri, "token"),
            Target = target,
            Outcome = failed ? "failure" : "success",
            ReasonCode = status,
            Severity = Severity(action, status),
            Message = $"{ServiceDisplayName(action)}: {description}{(failed ? " -failure" : string.Empty)}",
            RequestData = new JsonObject
            {
                ["method"] = method,
                ["url"] = path,
                ["body"] = body?.DeepClone(),
            },
            ResponseData = new JsonObject { ["status"] = status, ["transaction_id"] = transactionId },
        };
    }

    // Failures and updates are warnings; unauthorized attempts are critical (the CADF severity table).
    private static string Severity(string action, int status) => status switch
    {
        401 or 403 or 503 or 507 => "critical",
        >= 400 => "warning",
        _ => action.EndsWith(".create", StringComparison.Ordinal) || action.EndsWith(".add", StringComparison.Ordinal) ? "normal" : "warning",
    };

    private static string ServiceDisplayName(string action) => action[..action.IndexOf('.', StringComparison.Ordinal)] switch
    {
        "iam-am" => "IAM Access Management",
        "iam-identity" => "IAM Identity",
        "iam-groups" => "IAM Access Groups",
        "user-management" => "User Management",
        "resource-controller" => "Resource Controller",
        var other => other,
    };

    public static AuditTarget Policy(string accountId, string policyId) =>
        new(Crn.ForPolicy(accountId, policyId).ToString(), policyId, "iam-am/policy");

    public static AuditTarget ServiceId(string accountId, string serviceIdId, string name) =>
        new(Crn.Of("iam-identity", accountId, "serviceid", serviceIdId).ToString(), name, "iam-identity/serviceid");

    public static AuditTarget ApiKey(string accountId, string keyId, string name) =>
        new(Crn.Of("iam-identity", accountId, "apikey", keyId).ToString(), name, "iam-identity/apikey");

    public static AuditTarget User(string accountId, string iamId, string email) =>
        new(Crn.Of("user-management", accountId, "user", iamId).ToString(), email, "user-management/user");

    public static AuditTarget Instance(ServiceInstance instance) => new(instance.Crn, instance.Name, "resource-controller/instance");

    public static AuditTarget ResourceGroup(ResourceGroup group) => new(group.Crn, group.Name, "resource-controller/resource-group");

    public static AuditTarget AccessGroup(string accountId, string groupId, string name) =>
        new(Crn.Of("iam-groups", accountId, "group", groupId).ToString(), name, "iam-groups/group");

    public static AuditTarget Events(string accountId) =>
        new(Crn.Of("iam-access-management", accountId, "events", accountId).ToString(), "audit trail", "iam-access-management/events");
}
