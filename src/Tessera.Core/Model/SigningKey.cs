namespace Tessera.Model;

/// <summary>The RSA key tokens are signed with. <see cref="PrivateKeyPkcs8"/> never leaves the store and the token service.</summary>
public sealed record SigningKey(string KeyId, byte[] PrivateKeyPkcs8, DateTimeOffset CreatedAt);
