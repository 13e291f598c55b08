using Tessera.Server.Audit;
using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: the node answers decisions — always, once started, since
/// decisions come from its in-memory index — and says whether its store answers too (<c>ready</c>) or not
/// (<c>degraded</c>: writes get 503 until it is back). It is 200 either way, so that a load balancer keeps sending
/// decisions to a node that lost its database; the body tells monitoring what is wrong.
/// </summary>
internal static class HealthApi
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous();
        routes.MapGet("/readyz", async (ITesseraStore store, RevisionSignal signal, CancellationToken cancellationToken) =>
        {
            var applied = signal.Applied;
            long? storeRevision = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StoreTimeout);
            try
            {
                storeRevision = await store.GetRevisionAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
            {
                // Unreachable: reported below.
            }
            return TypedResults.Json(new Readiness(
                storeRevision is null ? "degraded" : "ready", storeRevision is null ? "unreachable" : "reachable", applied,
                storeRevision is { } latest ? Math.Max(0, latest - applied) : null), ServerJsonContext.Relaxed.Readiness);
        }).AllowAnonymous();
        routes.MapGet("/version", (ITesseraStore store) => TypedResults.Json(VersionInfo.Of(store), ServerJsonContext.Relaxed.VersionInfo)).AllowAnonymous();
        return routes;
    }
}

/// <summary>The answer of <c>/version</c>: Tessera's version and commit, the runtime, and which store the node runs on.</summary>
internal sealed record VersionInfo(
    [property: System.Text.Json.Serialization.JsonPropertyName("version")] string Version,
    [property: System.Text.Json.Serialization.JsonPropertyName("commit")] string? Commit,
    [property: System.Text.Json.Serialization.JsonPropertyName("runtime")] string Runtime,
    [property: System.Text.Json.Serialization.JsonPropertyName("store")] string Store)
{
    public static VersionInfo Of(ITesseraStore store)
    {
        var informational = typeof(VersionInfo).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return new VersionInfo(plus < 0 ? informational : informational[..plus], plus < 0 ? null : informational[(plus + 1)..],
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            store.GetType().Name.Replace("Store", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
    }
}

/// <summary>The answer of <c>/readyz</c>: the node's state, its store's, the revision the node applied and how far behind the store it is.</summary>
internal sealed record Readiness(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("store")] string Store,
    [property: System.Text.Json.Serialization.JsonPropertyName("revision")] long Revision,
    [property: System.Text.Json.Serialization.JsonPropertyName("behind")] long? Behind);
