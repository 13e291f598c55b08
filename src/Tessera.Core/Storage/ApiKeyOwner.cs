using Tessera.Model;

namespace Tessera.Storage;

public sealed record ApiKeyOwner(ApiKey Key, Identity Identity);
