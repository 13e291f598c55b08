namespace Tessera.Server.Http;

/// <summary>
/// A fast lane for endpoints that check the caller themselves (the decision API: a valid token, then the decision).
/// Routed requests to such an endpoint run it directly, skipping the authorization middleware, which would open a
/// service scope and evaluate the fallback policy for every request only to let it through. Every other endpoint
/// still passes that middleware, so deny-by-default holds for all of them.
/// </summary>
internal static class SelfAuthorizingEndpoints
{
    /// <summary>Marks an endpoint as checking its caller itself.</summary>
    public static TBuilder AuthorizesItself<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Marker.Instance).AllowAnonymous();

    public static IApplicationBuilder UseSelfAuthorizingEndpoints(this IApplicationBuilder app) => app.Use((context, next) =>
        context.GetEndpoint() is { RequestDelegate: { } run } endpoint && endpoint.Metadata.GetMetadata<Marker>() is not null
            ? run(context)
            : next(context));

    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }
}
