using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// Builds the events of what a removal takes with it (R7), inside the removal's transaction, so that every change it
/// makes has its own event (R8): each policy soft-deleted, each API key deleted, each group membership ended.
/// </summary>
public interface ICascadeEvents
{
    AuditEvent PolicyDeleted(Policy policy);

    AuditEvent ApiKeyDeleted(ApiKey key);

    AuditEvent MembershipEnded(GroupMembership membership);
}
