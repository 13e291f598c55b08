using System.Security.Cryptography;
using System.Text;

namespace Tessera.Security;

/// <summary>
/// Making and hashing API key secrets. A key carries 264 random bits, so a single SHA-256 is as strong as a slow,
/// salted password hash would be, and it lets the token endpoint find the key by its hash with one indexed lookup.
/// </summary>
public static class ApiKeySecrets
{
    private const int SecretBytes = 33; // 44 base64url characters, the length of an IBM Cloud API key

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
