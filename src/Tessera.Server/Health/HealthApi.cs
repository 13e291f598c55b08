using Tessera.Storage;

namespace Tessera.Server.Health;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the store answers too.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous();
        routes.MapGet("/readyz", async (ITesseraStore store, CancellationToken cancellationToken) =>
        {
            try
            {
                await store.GetRevisionAsync(cancellationToken);
                return Results.Text("ready");
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                return Results.Text("store unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
        return routes;
    }
}
