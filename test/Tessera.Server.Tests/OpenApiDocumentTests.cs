using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Server.Tests;

/// <summary>
/// The published OpenAPI document describes every route the server maps, each with IBM's error envelope; IBM's ruleset
/// lints it in test/openapi (run by test.sh).
/// </summary>
public class OpenApiDocumentTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task EveryMappedRoute_IsInTheDocument_WithItsErrorsAndABearerToken()
    {
        using var anonymous = app.CreateClient();

        var (status, document, _) = await anonymous.SendAsync(HttpMethod.Get, "/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, status);
        var paths = document.GetProperty("paths");
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m.ToLowerInvariant(), Path: "/" + e.RoutePattern.RawText!.TrimStart('/').TrimEnd('/'))))
            // The document and the reference over it are not described in the document.
            .Where(r => !r.Path.StartsWith("/docs", StringComparison.Ordinal) && !r.Path.StartsWith("/openapi/", StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count >= 60, $"only {routes.Count} routes found");
        foreach (var (method, path) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the document");
            var operation = item.GetProperty(method);
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("operationId").GetString()), $"{method} {path} has no operationId");
            Assert.True(operation.GetProperty("responses").TryGetProperty("400", out var badRequest), $"{method} {path} has no 400");
            Assert.EndsWith("/IbmErrorBody", badRequest.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
                StringComparison.Ordinal);
        }
        var create = paths.GetProperty("/v2/policies").GetProperty("post");
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.EndsWith("/V2PolicyBody", create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema")
            .GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", create.GetProperty("security")[0].EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task TheBrowsableReference_IsServed_AtDocsSlash_WithItsScriptsBesideIt()
    {
        // Redirects not followed: a loop between /docs and /docs/ (the trailing '/' trimmed for the SDKs) once ended,
        // followed, on a page at /docs/docs/ whose scripts were all 401s.
        using var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var redirect = await anonymous.GetAsync(new Uri("/docs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("docs/", redirect.Headers.Location?.OriginalString);
        using var page = await anonymous.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Tessera API", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await anonymous.GetAsync(new Uri("/docs/scalar.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
