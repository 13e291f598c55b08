using Tessera.Audit;
using Tessera.Policies;

namespace Tessera.Storage;

/// <summary>
/// Builds the audit event of one policy that a removal cascades to (R7), inside the removal's transaction, so that
/// every policy it deletes gets its own event.
/// </summary>
public delegate AuditEvent CascadeEventFactory(Policy deletedPolicy);
