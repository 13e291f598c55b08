using System.Security.Cryptography;

namespace Tessera.Model;

/// <summary>Identifier formats: accounts and resource groups are 32 lowercase hex digits, policies and keys are UUIDs.</summary>
public static class Ids
{
    public static string NewHex32() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string NewUuid() => Guid.NewGuid().ToString("D");
}
