using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// The one storage seam. Every write runs in one transaction that also records its audit event (R8) and advances the
/// store revision; provider exceptions stay inside the implementation and come out as <see cref="WriteStatus"/> values.
/// Committed changes go to the <see cref="IChangeSink"/> the store was given, in commit order, before the write returns.
/// Removals that cascade (R7) delete what depends on them in the same transaction, each with its own event built by
/// <see cref="ICascadeEvents"/>.
/// </summary>
public interface ITesseraStore
{
    /// <summary>Creates or upgrades the schema.</summary>
    ValueTask MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The revision of the last committed change (0 for an empty store).</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken);

    // Accounts and identities

    ValueTask<bool> HasAccountsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds an account with its owner, group and key. An operator account is added only while there is none, checked
    /// in the write's transaction, so that nodes bootstrapping one empty database together create exactly one.
    /// </summary>
    ValueTask<bool> CreateAccountAsync(NewAccount account, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The account the bootstrap created, whose owner operates Tessera (and whose trail records unauthenticated attempts).</summary>
    ValueTask<Account?> GetOperatorAccountAsync(CancellationToken cancellationToken);

    /// <summary>An identity by iam_id, deleted ones included (they are marked).</summary>
    ValueTask<Identity?> GetIdentityAsync(string iamId, CancellationToken cancellationToken);

    /// <summary>An account's live identities of one kind, oldest first.</summary>
    ValueTask<IReadOnlyList<Identity>> ListIdentitiesAsync(string accountId, IdentityKind kind, CancellationToken cancellationToken);

    /// <summary>Adds a user or service ID; <see cref="WriteStatus.Conflict"/> when the iam_id exists.</summary>
    ValueTask<WriteResult<Identity>> CreateIdentityAsync(Identity identity, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Changes a live identity's name, description or lock when <paramref name="expectedVersion"/> is current (null: any).</summary>
    ValueTask<WriteResult<Identity>> UpdateIdentityAsync(Identity updated, int? expectedVersion, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Deletes an identity with its API keys, and soft-deletes the policies granted to it (R7).</summary>
    ValueTask<WriteResult<Identity>> DeleteIdentityAsync(string iamId, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken);

    // API keys

    /// <summary>The live key with this secret hash, and its live identity.</summary>
    ValueTask<ApiKeyOwner?> FindApiKeyByHashAsync(string hash, CancellationToken cancellationToken);

    ValueTask<ApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken);

    /// <summary>An account's live keys, oldest first; only <paramref name="iamId"/>'s when given.</summary>
    ValueTask<IReadOnlyList<ApiKey>> ListApiKeysAsync(string accountId, string? iamId, CancellationToken cancellationToken);

    ValueTask<WriteResult<ApiKey>> CreateApiKeyAsync(ApiKey key, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<WriteResult<ApiKey>> UpdateApiKeyAsync(ApiKey updated, int? expectedVersion, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<WriteResult<ApiKey>> DeleteApiKeyAsync(string id, AuditEvent auditEvent, CancellationToken cancellationToken);

    // Signing keys

    ValueTask<IReadOnlyList<SigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The web console's data-protection keys (ASP.NET Core's XML, one per key), which protect its antiforgery tokens:
    /// kept in the store so that every node reads the keys any node made, and a form rendered by one can be posted to another.
    /// </summary>
    ValueTask<IReadOnlyList<string>> ReadDataProtectionKeysAsync(CancellationToken cancellationToken);

    /// <summary>Adds a data-protection key; a name already stored is left as it is (keys never change).</summary>
    ValueTask AddDataProtectionKeyAsync(string name, string xml, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="key"/> only if there is no signing key yet (the first start of a deployment; several nodes may race).</summary>
    ValueTask AddFirstSigningKeyAsync(SigningKey key, CancellationToken cancellationToken);

    /// <summary>Adds a signing key (a rotation), unless one with the same id exists, with its audit event; the change log carries it.</summary>
    ValueTask AddSigningKeyAsync(SigningKey key, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The credential changes (deleted identities and API keys, added signing keys) made at or after <paramref name="since"/>:
    /// what a starting node must know to refuse the tokens that deleted credentials were issued before it started.
    /// </summary>
    ValueTask<IReadOnlyList<CredentialChange>> ReadCredentialChangesSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    // Resource groups and instances

    ValueTask<ResourceGroup?> GetResourceGroupAsync(string id, CancellationToken cancellationToken);

    /// <summary>An account's live resource groups, oldest first.</summary>
    ValueTask<IReadOnlyList<ResourceGroup>> ListResourceGroupsAsync(string accountId, CancellationToken cancellationToken);

    ValueTask<WriteResult<ResourceGroup>> CreateResourceGroupAsync(ResourceGroup group, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<WriteResult<ResourceGroup>> RenameResourceGroupAsync(string id, string name, DateTimeOffset at, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an empty, non-default group and, in the same transaction, every policy that names it (R7), in any account;
    /// <see cref="WriteStatus.NotEmpty"/> while it holds active instances.
    /// </summary>
    ValueTask<WriteResult<ResourceGroup>> DeleteResourceGroupAsync(string id, string actorId, DateTimeOffset at, AuditEvent auditEvent, ICascadeEvents cascade,
        CancellationToken cancellationToken);

    /// <summary>An instance by GUID, removed ones included.</summary>
    ValueTask<ServiceInstance?> GetInstanceAsync(string guid, CancellationToken cancellationToken);

    /// <summary>A page of instances; one more than <see cref="InstanceQuery.Limit"/> is never returned.</summary>
    ValueTask<IReadOnlyList<ServiceInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken);

    /// <summary>Every active instance, for the resource directory at start-up.</summary>
    IAsyncEnumerable<ServiceInstance> ReadActiveInstancesAsync(CancellationToken cancellationToken);

    /// <summary>Adds an instance and the identity it authenticates as, in one transaction.</summary>
    ValueTask<WriteResult<ServiceInstance>> CreateInstanceAsync(ServiceInstance instance, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an instance removed and, in the same transaction (R7), soft-deletes every policy scoped to it as source or
    /// target and every policy it created as a delegator, and deletes its identity's API keys.
    /// </summary>
    ValueTask<WriteResult<ServiceInstance>> RemoveInstanceAsync(string guid, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken);

    // Access groups

    ValueTask<AccessGroup?> GetAccessGroupAsync(string id, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<AccessGroup>> ListAccessGroupsAsync(string accountId, CancellationToken cancellationToken);

    /// <summary><see cref="WriteStatus.Conflict"/> when the account has a live group of that name.</summary>
    ValueTask<WriteResult<AccessGroup>> CreateAccessGroupAsync(AccessGroup group, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Deletes a group with its memberships, and soft-deletes the policies granted to it.</summary>
    ValueTask<WriteResult<AccessGroup>> DeleteAccessGroupAsync(string id, string actorId, DateTimeOffset at, AuditEvent auditEvent,
        ICascadeEvents cascade, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<GroupMembership>> ListMembersAsync(string groupId, CancellationToken cancellationToken);

    /// <summary>Every live membership, for the resource directory at start-up.</summary>
    IAsyncEnumerable<GroupMembership> ReadMembershipsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds members (one event per new member) and returns those that are members after the write, new or already there.
    /// A member is added only if it and the group are live in the same account when the write runs (R7).
    /// </summary>
    ValueTask<IReadOnlyList<GroupMembership>> AddMembersAsync(IReadOnlyList<GroupMembership> members, Func<GroupMembership, AuditEvent> memberEvent,
        CancellationToken cancellationToken);

    ValueTask<WriteResult<GroupMembership>> RemoveMemberAsync(string groupId, string iamId, AuditEvent auditEvent, CancellationToken cancellationToken);

    // Policies

    /// <summary>Stores a new policy unless an identical active one exists (R6).</summary>
    ValueTask<WriteResult<Policy>> CreatePolicyAsync(Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Stores new policies in one transaction at one revision, each with its event: all of them, or — when one conflicts
    /// (R6) or names something gone (R7) — none, with the first that failed.
    /// </summary>
    ValueTask<BatchWriteResult<Policy>> CreatePoliciesAsync(IReadOnlyList<(Policy Policy, AuditEvent Event)> policies, CancellationToken cancellationToken);

    ValueTask<Policy?> GetPolicyAsync(string policyId, CancellationToken cancellationToken);

    ValueTask<PolicyPage> ListPoliciesAsync(PolicyQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Adds permits that a node's decisions counted (IBM's <c>last_permit_at</c> and <c>last_permit_frequency</c>): counts add
    /// up across nodes and batches, the latest time wins. Not a change of the policy: no revision, no ETag, no event.
    /// </summary>
    ValueTask RecordPermitsAsync(IReadOnlyList<PolicyPermitCount> permits, CancellationToken cancellationToken);

    /// <summary>A policy's recorded permits; <see cref="PolicyPermits.None"/> when it has permitted nothing yet.</summary>
    ValueTask<PolicyPermits> GetPermitsAsync(string policyId, CancellationToken cancellationToken);

    /// <summary>Replaces a policy's content when <paramref name="expectedETag"/> is current.</summary>
    ValueTask<WriteResult<Policy>> ReplacePolicyAsync(Policy replacement, string expectedETag, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Soft-deletes or restores a policy; with an <paramref name="expectedETag"/>, only when it is current.</summary>
    ValueTask<WriteResult<Policy>> SetPolicyStateAsync(
        string policyId, PolicyState state, string? expectedETag, string modifiedById, DateTimeOffset modifiedAt,
        AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Every active policy, streamed (the decision index loads from it at start-up).</summary>
    IAsyncEnumerable<Policy> ReadActivePoliciesAsync(CancellationToken cancellationToken);

    // Audit trail

    /// <summary>Records an event that changes nothing else (a refused attempt); it does not advance the revision.</summary>
    ValueTask AppendEventAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>A page of an account's audit events, oldest first, each with its <see cref="AuditEvent.Sequence"/>.</summary>
    ValueTask<IReadOnlyList<AuditEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the oldest batch of events that <paramref name="retention"/> lets go, after handing them to
    /// <paramref name="exportAsync"/> (which must have kept them durably when it returns); returns how many. Zero when
    /// nothing is due.
    /// </summary>
    ValueTask<int> PruneEventsAsync(EventRetention retention, Func<IReadOnlyList<StoredEvent>, ValueTask> exportAsync, CancellationToken cancellationToken);
}
