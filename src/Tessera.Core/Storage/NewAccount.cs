using Tessera.Model;

namespace Tessera.Storage;

/// <summary>Everything an account starts with: its owner, its <c>Default</c> resource group and the owner's first API key.</summary>
public sealed record NewAccount(Account Account, Identity Owner, ResourceGroup DefaultGroup, ApiKey OwnerKey);
