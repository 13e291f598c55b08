using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Catalog;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Server.Http;
using Tessera.Server.Identity;
using Tessera.Server.Policies;

namespace Tessera.Server.Audit;

/// <summary>Builds the <c>iam-am.policy.*</c> events of R8. Policies hold no secrets, so the body is recorded whole.</summary>
internal static class PolicyEvents
{
    public static AuditEvent Create(HttpContext context, Caller caller, string verb, Policy policy, ServiceCatalog catalog, int status, DateTimeOffset at)
    {
        var body = JsonSerializer.SerializeToNode(V1PolicyMapper.ToWire(policy, catalog, PoliciesApi.BaseUrl(context)), ServerJsonContext.Default.V1Policy);
        return new AuditEvent
        {
            Id = Ids.NewUuid(),
            AccountId = policy.AccountId,
            Action = $"iam-am.policy.{(verb == "restore" ? "update" : verb)}",
            EventTime = at,
            Initiator = new AuditInitiator(caller.IamId, caller.IamId, caller.InitiatorTypeUri, "token"),
            Target = new AuditTarget(Crn.ForPolicy(policy.AccountId, policy.Id).ToString(), policy.Id, "iam-am/policy"),
            ReasonCode = status,
            Severity = verb == "create" ? "normal" : "warning",
            Message = $"IAM Access Management: {verb} policy {policy.Id}",
            RequestData = new JsonObject
            {
                ["method"] = context.Request.Method,
                ["url"] = context.Request.Path.ToString(),
                ["policy_type"] = policy.Type.ToWire(),
                ["body"] = body,
            },
            ResponseData = new JsonObject
            {
                ["status"] = status,
                ["transaction_id"] = TransactionIds.Get(context),
            },
        };
    }
}
