using Tessera.Server.Audit;

namespace Tessera.Server.Hosting;

/// <summary>
/// Start-up settings. Each comes from a command-line switch (<c>--data-dir</c>) or its environment variable
/// (<c>TESSERA_DATA_DIR</c>); the switch wins.
/// </summary>
internal sealed class TesseraOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string: when set, the store is PostgreSQL (several nodes) instead of SQLite in <see cref="DataDirectory"/>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>An operator's catalog file that adds services to, or replaces services of, the built-in catalog.</summary>
    public string? CatalogFile { get; init; }

    /// <summary>The token issuer. IBM's own by default, because Terraform reads it to tell production from staging.</summary>
    public string Issuer { get; init; } = "https://iam.cloud.ibm.com/identity";

    /// <summary>How long an access token is accepted (IBM's: an hour); clients exchange their key again before it ends.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Used instead of a generated key for the operator account's owner on first start (automation).</summary>
    public string? BootstrapApiKey { get; init; }

    /// <summary>How long a request carrying a consistency token waits for this node to catch up before a 503.</summary>
    public TimeSpan ConsistencyWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many requests may wait for a consistency token at once; the next is answered 503 at once.</summary>
    public int MaxConsistencyWaiters { get; init; } = RevisionSignal.DefaultMaxWaiters;

    /// <summary>A PEM certificate (chain) file for HTTPS, with <see cref="TlsKeyFile"/>; Kestrel's own certificate settings work too.</summary>
    public string? TlsCertificateFile { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificateFile"/> (unencrypted; protect the file).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>The largest JSON request body accepted; larger ones get a 400.</summary>
    public int MaxRequestBodyBytes { get; init; } = 64 * 1024;

    public static TesseraOptions FromConfiguration(IConfiguration configuration)
    {
        string? Setting(string switchName, string environmentName) =>
            configuration[switchName] is { Length: > 0 } fromSwitch ? fromSwitch
            : configuration[environmentName] is { Length: > 0 } fromEnvironment ? fromEnvironment
            : null;

        return new TesseraOptions
        {
            DataDirectory = Path.GetFullPath(Setting("data-dir", "TESSERA_DATA_DIR") ?? "data"),
            PostgresConnectionString = Setting("postgres", "TESSERA_POSTGRES"),
            CatalogFile = Setting("catalog", "TESSERA_CATALOG"),
            Issuer = Setting("issuer", "TESSERA_ISSUER") ?? "https://iam.cloud.ibm.com/identity",
            BootstrapApiKey = Setting("bootstrap-apikey", "TESSERA_BOOTSTRAP_APIKEY"),
            MaxConsistencyWaiters = Setting("consistency-waiters", "TESSERA_CONSISTENCY_WAITERS") is { } waiters
                ? int.Parse(waiters, System.Globalization.CultureInfo.InvariantCulture)
                : RevisionSignal.DefaultMaxWaiters,
            TlsCertificateFile = Setting("tls-cert", "TESSERA_TLS_CERT"),
            TlsKeyFile = Setting("tls-key", "TESSERA_TLS_KEY"),
            TokenLifetime = Setting("token-lifetime-seconds", "TESSERA_TOKEN_LIFETIME_SECONDS") is { } lifetime
                ? TimeSpan.FromSeconds(Math.Max(1, int.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture)))
                : TimeSpan.FromHours(1),
            ConsistencyWait = Setting("consistency-wait-ms", "TESSERA_CONSISTENCY_WAIT_MS") is { } wait
                ? TimeSpan.FromMilliseconds(int.Parse(wait, System.Globalization.CultureInfo.InvariantCulture))
                : TimeSpan.FromSeconds(5),
        };
    }
}
