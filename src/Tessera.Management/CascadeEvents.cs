using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Catalog;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Management;

/// <summary>The events of what one removal takes with it (R7), each initiated by the remover and saying why.</summary>
internal sealed class CascadeEvents(CallContext call, DateTimeOffset at, ServiceCatalog catalog, string cause) : ICascadeEvents
{
    public AuditEvent PolicyDeleted(Policy policy) =>
        AuditEvents.For(call, at, policy.AccountId, "iam-am.policy.delete", AuditEvents.Policy(policy.AccountId, policy.Id), 204,
            $"delete policy {policy.Id} because {cause}", PolicyEventBody.Of(policy, catalog));

    public AuditEvent ApiKeyDeleted(ApiKey key) =>
        AuditEvents.For(call, at, key.AccountId, "iam-identity.apikey.delete", AuditEvents.ApiKey(key.AccountId, key.Id, key.Name), 204,
            $"delete API key {key.Id} because {cause}");

    public AuditEvent MembershipEnded(GroupMembership membership) =>
        AuditEvents.For(call, at, membership.AccountId, "iam-groups.member.remove",
            AuditEvents.AccessGroup(membership.AccountId, membership.GroupId, membership.GroupId), 204,
            $"remove member {membership.IamId} from access group {membership.GroupId} because {cause}", new JsonObject { ["iam_id"] = membership.IamId });
}
