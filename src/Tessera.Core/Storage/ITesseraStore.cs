using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// The one storage seam. Every write runs in one transaction that also records its audit event (R8) and
/// advances the store revision; provider exceptions stay inside the implementation and come out as
/// <see cref="WriteStatus"/> values. Committed policy changes go to the <see cref="IPolicyChangeSink"/> the store was
/// given, in commit order, before the write returns.
/// </summary>
public interface ITesseraStore
{
    /// <summary>Creates or upgrades the schema.</summary>
    ValueTask MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The revision of the last committed change (0 for an empty store).</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken);

    ValueTask<bool> HasAccountsAsync(CancellationToken cancellationToken);

    ValueTask CreateAccountAsync(NewAccount account, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken);

    ValueTask<Identity?> GetIdentityAsync(string iamId, CancellationToken cancellationToken);

    ValueTask<ApiKeyOwner?> FindApiKeyByHashAsync(string hash, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<SigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken);

    /// <summary>Adds a signing key unless one with the same id exists.</summary>
    ValueTask AddSigningKeyAsync(SigningKey key, CancellationToken cancellationToken);

    /// <summary>Stores a new policy unless an identical active one exists (R6).</summary>
    ValueTask<PolicyWriteResult> CreatePolicyAsync(Policy policy, AuditEvent auditEvent, CancellationToken cancellationToken);

    ValueTask<Policy?> GetPolicyAsync(string policyId, CancellationToken cancellationToken);

    ValueTask<PolicyPage> ListPoliciesAsync(PolicyQuery query, CancellationToken cancellationToken);

    /// <summary>Replaces a policy's content when <paramref name="expectedETag"/> is current.</summary>
    ValueTask<PolicyWriteResult> ReplacePolicyAsync(Policy replacement, string expectedETag, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Soft-deletes or restores a policy; with an <paramref name="expectedETag"/>, only when it is current.</summary>
    ValueTask<PolicyWriteResult> SetPolicyStateAsync(
        string policyId, PolicyState state, string? expectedETag, string modifiedById, DateTimeOffset modifiedAt,
        AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Every active policy, streamed (the decision index loads from it at start-up).</summary>
    IAsyncEnumerable<Policy> ReadActivePoliciesAsync(CancellationToken cancellationToken);

    /// <summary>An account's audit events after <paramref name="afterRevision"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<AuditEvent>> ListEventsAsync(string accountId, long afterRevision, int limit, CancellationToken cancellationToken);
}
