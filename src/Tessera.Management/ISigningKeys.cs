using Tessera.Audit;

namespace Tessera.Management;

/// <summary>The token service's signing keys, as the rule book rotates them (the keys themselves never leave the server).</summary>
public interface ISigningKeys
{
    /// <summary>Makes a new signing key, recording <paramref name="auditEvent"/> with it; returns its key id.</summary>
    ValueTask<string> RotateAsync(AuditEvent auditEvent, CancellationToken cancellationToken);
}
