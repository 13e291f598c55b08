using System.Security.Cryptography;

namespace Tessera.Model;

/// <summary>Identifier formats: accounts and resource groups are 32 lowercase hex digits, policies and keys are UUIDs.</summary>
public static class Ids
{
    public static string NewHex32() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string NewUuid() => Guid.NewGuid().ToString("D");

    public static bool IsHex32(string? value)
    {
        if (value is null || value.Length != 32)
            return false;
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
