namespace Tessera.Storage;

/// <summary>
/// A change that ends or adds a way to authenticate, carried by the change log so that every node learns of it at once:
/// a deleted identity or API key ends the tokens issued for it; a new signing key is one every node must verify.
/// </summary>
public sealed record CredentialChange(CredentialKind Kind, string Id, DateTimeOffset At);

public enum CredentialKind
{
    /// <summary>A user or service ID was deleted: its <c>iam_id</c> authenticates no more.</summary>
    IdentityDeleted,

    /// <summary>An API key was deleted (by itself or with its identity): tokens exchanged for it end.</summary>
    ApiKeyDeleted,

    /// <summary>A signing key was added (a rotation): new tokens are signed with it.</summary>
    SigningKeyAdded,
}
