using System.Security.Cryptography.X509Certificates;

namespace Tessera.Server.Hosting;

/// <summary>
/// HTTPS on Kestrel itself: <c>--tls-cert</c> and <c>--tls-key</c> (PEM files), or ASP.NET Core's own
/// <c>Kestrel:Certificates</c> / <c>Kestrel:Endpoints</c> configuration. The slim host leaves HTTPS out unless asked,
/// so it is added only when TLS is configured. Behind a TLS-terminating proxy none of this is needed (see
/// docs/operations.md).
/// </summary>
internal static class Tls
{
    public static bool IsConfigured(TesseraOptions options, IConfiguration configuration) =>
        options.TlsCertificateFile is not null || configuration.GetSection("Kestrel:Certificates").Exists()
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(e => e.GetSection("Certificate").Exists());

    /// <summary>Turns HTTPS on; fails start-up with a clear message when the files cannot be read.</summary>
    public static void Configure(WebApplicationBuilder builder, TesseraOptions options)
    {
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (options.TlsCertificateFile is not { } certificateFile)
            return;
        if (options.TlsKeyFile is not { } keyFile)
            throw new InvalidOperationException("--tls-cert needs --tls-key (the certificate's PEM private key)");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"the TLS certificate {certificateFile} with key {keyFile} cannot be loaded: {ex.Message}", ex);
        }
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
    }
}
