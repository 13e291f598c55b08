using System.Text.Json;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Tessera.Server.OpenApi;

/// <summary>
/// The published description of the API: an OpenAPI 3 document at <c>/openapi/v1.json</c>, generated from the endpoints
/// themselves (their routes and typed results) and <see cref="ApiReference"/>, and a browsable reference over it at <c>/docs</c>.
/// </summary>
internal static class OpenApiDocumentation
{
    public const string DocumentPath = "/openapi/{documentName}.json";

    /// <summary>Where the browsable reference is served (its page, scripts and styles below it).</summary>
    public const string ReferencePath = "/docs";

    public static IServiceCollection AddTesseraOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer<DocumentHeaderTransformer>();
        options.AddOperationTransformer<ApiReferenceTransformer>();
        options.AddSchemaTransformer((schema, context, _) =>
        {
            Normalize(schema);
            // The management APIs' answers are snake_case by their serializer's naming policy, not by attributes. Renamed
            // here, their properties are no longer found by name for a transformer call of their own, so they are normalized now.
            if (ManagementJsonContext.Default.GetTypeInfo(context.JsonTypeInfo.Type) is not null && schema.Properties is { Count: > 0 } properties)
            {
                schema.Properties = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
                foreach (var property in schema.Properties.Values.OfType<OpenApiSchema>())
                    Normalize(property);
                if (schema.Required is { Count: > 0 } required)
                    schema.Required = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToHashSet();
            }
            return Task.CompletedTask;
        });
    });

    private static void Normalize(OpenApiSchema schema)
    {
        // Optional fields are left out of answers rather than sent as null: a nullable one is its plain type.
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null) && type != JsonSchemaType.Null)
            schema.Type = type & ~JsonSchemaType.Null;
        // Counts, limits, revisions and statuses are never negative, and stay within what JSON numbers carry exactly.
        if (schema.Type is { } numeric && numeric.HasFlag(JsonSchemaType.Integer))
        {
            schema.Type = JsonSchemaType.Integer;
            schema.Pattern = null;
            schema.Format ??= "int64";
            schema.Minimum ??= "0";
            schema.Maximum ??= schema.Format == "int32" ? "2147483647" : "9007199254740991";
        }
    }

    public static IEndpointRouteBuilder MapTesseraOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(DocumentPath).AllowAnonymous();
        // Scalar's default fonts come from its own CDN: Tessera serves everything the page needs, for hosts without the internet.
        routes.MapScalarApiReference(ReferencePath, options => options.WithOpenApiRoutePattern(DocumentPath).WithTitle("Tessera API").DisableDefaultFonts())
            .AllowAnonymous();
        return routes;
    }
}
