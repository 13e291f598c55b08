using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Errors;

namespace Tessera.Server.OpenApi;

/// <summary>
/// Fills each operation from <see cref="ApiReference"/>: IBM's operation id, a summary and tag, the request body, the
/// success answer (declared there, or read from the handler's typed result), the IBM error envelope for the errors a
/// route can answer, and the bearer token it needs.
/// </summary>
internal sealed class ApiReferenceTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var key = $"{description.HttpMethod} /{description.RelativePath?.TrimEnd('/')}";
        if (!ApiReference.Routes.TryGetValue(key, out var doc))
            throw new InvalidOperationException($"{key} has no entry in ApiReference.Routes: every route is documented there");

        operation.OperationId = doc.OperationId;
        operation.Summary = doc.Summary;
        operation.Description = doc.Summary + ".";
        operation.Tags = new HashSet<OpenApiTagReference> { new(doc.Tag, context.Document) };
        if (doc.Request is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The request body.",
                Content = new Dictionary<string, OpenApiMediaType> { [doc.RequestType] = new() { Schema = await SchemaAsync(request, context, cancellationToken) } },
            };
        }

        if (doc.ETag && description.HttpMethod is "PUT" or "PATCH")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Required = true,
                Description = "The ETag of the version being changed, as a GET or the last write returned it.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[^\\s]+$" },
            });
        }

        var responses = new OpenApiResponses();
        var success = new OpenApiResponse { Description = doc.Success == 204 ? "Done; no content." : "Success." };
        if (doc.Success != 204 && (doc.Response ?? ResultType(description)) is { } type)
        {
            success.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await SchemaAsync(type, context, cancellationToken) },
            };
        }
        if (doc.ETag)
        {
            success.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["ETag"] = new OpenApiHeader
                {
                    Description = "The version's entity tag: send it back in If-Match to change this version.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[^\\s]+$" },
                },
            };
        }
        responses[doc.Success.ToString(System.Globalization.CultureInfo.InvariantCulture)] = success;

        var anonymous = description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();
        var error = await SchemaAsync(typeof(IbmErrorBody), context, cancellationToken);
        foreach (var (status, why) in Errors(description, anonymous, doc.ETag))
            responses[status] = new OpenApiResponse { Description = why, Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = error } } };
        operation.Responses = responses;

        // The decision endpoints check their token themselves; they still need one.
        if (!anonymous || key.StartsWith("POST /access/v1/", StringComparison.Ordinal))
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];
    }

    /// <summary>A reference to the type's schema in the document's components, added there on first use: each shape is described once.</summary>
    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var name = type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + string.Concat(type.GetGenericArguments().Select(a => a.Name))
            : type.Name;
        var components = context.Document!.Components ??= new OpenApiComponents();
        components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!components.Schemas.ContainsKey(name))
            components.Schemas[name] = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        return new OpenApiSchemaReference(name, context.Document);
    }

    private static IEnumerable<(string Status, string Why)> Errors(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description, bool anonymous, bool etag)
    {
        yield return ("400", "The request is malformed; the message names what is wrong.");
        if (!anonymous || description.RelativePath!.StartsWith("access/v1/", StringComparison.Ordinal))
        {
            yield return ("401", "The access token is missing, invalid or expired.");
            yield return ("403", "The caller may not do this.");
        }
        if (description.RelativePath!.Contains('{', StringComparison.Ordinal) && !description.RelativePath.StartsWith("openapi", StringComparison.Ordinal))
            yield return ("404", "No such object (or one the caller may not see).");
        if (description.HttpMethod is "PUT" or "PATCH" or "POST" && !anonymous)
            yield return ("409", "It conflicts with what exists (an identical policy, a name in use).");
        if (etag && description.HttpMethod is "PUT" or "PATCH")
            yield return ("412", "The If-Match ETag is not the current one.");
        yield return ("429", "Over a rate limit; see Retry-After.");
        yield return ("503", "The store cannot be reached just now, or the node has not caught up with a consistency token; see Retry-After.");
    }

    /// <summary>The T of the handler's <c>JsonHttpResult&lt;T&gt;</c> (alone or in a <c>Results&lt;…&gt;</c>), if it has one.</summary>
    private static Type? ResultType(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description)
    {
        var method = description.ActionDescriptor.EndpointMetadata.OfType<System.Reflection.MethodInfo>().FirstOrDefault();
        var type = method?.ReturnType;
        if (type is { IsGenericType: true } && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            type = type.GetGenericArguments()[0];
        if (type is null)
            return null;
        var candidates = type.IsGenericType && type.Name.StartsWith("Results`", StringComparison.Ordinal) ? type.GetGenericArguments() : [type];
        return candidates.FirstOrDefault(t => t is { IsGenericType: true } && t.GetGenericTypeDefinition() == typeof(JsonHttpResult<>))?.GetGenericArguments()[0];
    }
}

/// <summary>The document's header (title, version, security scheme) and the routes ASP.NET Core's explorer does not list.</summary>
internal sealed class DocumentHeaderTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Tessera",
            Version = typeof(DocumentHeaderTransformer).Assembly.GetName().Version?.ToString(3) ?? "0",
            Description = "Service-to-service authorization: IBM Cloud IAM's policy management, identity and resource APIs, and an OpenID AuthZEN 1.0 decision API.",
            Contact = new OpenApiContact { Name = "Tessera", Url = new Uri("https://github.com/tessera-iam/tessera") },
            License = new OpenApiLicense { Name = "Apache-2.0", Url = new Uri("https://www.apache.org/licenses/LICENSE-2.0") },
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /identity/token (an API key exchanged, as IBM's SDKs do).",
        };
        document.Tags = new HashSet<OpenApiTag>(ApiReference.Routes.Values.Select(r => r.Tag).Distinct().Select(name => new OpenApiTag { Name = name, Description = name + "." }));
        // /metrics is the Prometheus exporter's endpoint, outside ASP.NET Core's explorer.
        var metrics = ApiReference.Routes["GET /metrics"];
        document.Paths["/metrics"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = metrics.OperationId,
                    Summary = metrics.Summary,
                    Description = metrics.Summary + ".",
                    Tags = new HashSet<OpenApiTagReference> { new(metrics.Tag, document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "The metrics in Prometheus' text format.",
                            Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
