using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Catalog;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Server.Identity;
using Tessera.Server.Policies;
using Tessera.Storage;

namespace Tessera.Server.Audit;

/// <summary>The events of what one removal takes with it (R7), each initiated by the remover and saying why.</summary>
internal sealed class CascadeEvents(HttpContext context, Caller caller, ServiceCatalog catalog, string cause) : ICascadeEvents
{
    public AuditEvent PolicyDeleted(Policy policy) =>
        PoliciesApi.PolicyEvent(context, caller, "delete", policy, catalog, StatusCodes.Status204NoContent, cause);

    public AuditEvent ApiKeyDeleted(ApiKey key) =>
        AuditEvents.For(context, caller, key.AccountId, "iam-identity.apikey.delete", AuditEvents.ApiKey(key.AccountId, key.Id, key.Name),
            StatusCodes.Status204NoContent, $"delete API key {key.Id} because {cause}");

    public AuditEvent MembershipEnded(GroupMembership membership) =>
        AuditEvents.For(context, caller, membership.AccountId, "iam-groups.member.remove",
            AuditEvents.AccessGroup(membership.AccountId, membership.GroupId, membership.GroupId), StatusCodes.Status204NoContent,
            $"remove member {membership.IamId} from access group {membership.GroupId} because {cause}", new JsonObject { ["iam_id"] = membership.IamId });
}
