using System.Text.Json;
using System.Text.Json.Serialization;
using Tessera.Client;

namespace Tessera.Cli.Session;

/// <summary>What <c>tessera login</c> keeps: the endpoint, the API key (to exchange again when the token expires) and the current token.</summary>
internal sealed record SessionFile(string Endpoint, string ApiKey, string AccountId, string IamId)
{
    public string? AccessToken { get; init; }
    public long? ExpiresAt { get; init; }
    public long? LifetimeSeconds { get; init; }

    public AccessToken? Token =>
        AccessToken is { } value && ExpiresAt is { } expires && LifetimeSeconds is { } lifetime
            ? new AccessToken(value, DateTimeOffset.FromUnixTimeSeconds(expires), TimeSpan.FromSeconds(lifetime))
            : null;

    public SessionFile WithToken(AccessToken token) =>
        this with { AccessToken = token.Value, ExpiresAt = token.ExpiresAt.ToUnixTimeSeconds(), LifetimeSeconds = (long)token.Lifetime.TotalSeconds };
}

/// <summary>
/// The session file, <c>tessera/session.json</c> in the user's config directory (<c>$XDG_CONFIG_HOME</c>, else
/// <c>~/.config</c>; <c>TESSERA_CONFIG_DIR</c> names another). It holds a secret, so the directory is the owner's alone
/// (0700) and the file too (0600), set on every write, and it is replaced whole (written beside, then renamed) so that
/// a crash never leaves half a file.
/// </summary>
internal sealed class SessionStore(string directory)
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory { get; } = directory;

    public string FilePath => Path.Combine(Directory, "session.json");

    public static SessionStore ForUser() =>
        new(Environment.GetEnvironmentVariable("TESSERA_CONFIG_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "tessera"));

    public SessionFile? Load()
    {
        if (!File.Exists(FilePath))
            return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(FilePath), CliJsonContext.Default.SessionFile);
        }
        catch (JsonException e)
        {
            throw new CliException($"The session file {FilePath} is damaged ({e.Message}); run 'tessera login' again.");
        }
    }

    public void Save(SessionFile session)
    {
        var partial = FilePath + ".partial";
        if (OperatingSystem.IsWindows())
        {
            // The profile directory is the user's own there.
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(partial, JsonSerializer.Serialize(session, CliJsonContext.Default.SessionFile));
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
            File.SetUnixFileMode(Directory, OwnerOnlyDirectory);
            using (var file = new FileStream(partial, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile }))
                JsonSerializer.Serialize(file, session, CliJsonContext.Default.SessionFile);
            File.SetUnixFileMode(partial, OwnerOnlyFile);
        }
        File.Move(partial, FilePath, overwrite: true);
    }

    /// <summary>Removes the session; false when there was none.</summary>
    public bool Delete()
    {
        if (!File.Exists(FilePath))
            return false;
        File.Delete(FilePath);
        return true;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(SessionFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
