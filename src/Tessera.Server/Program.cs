using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Errors;
using Tessera.Policies;
using Tessera.Management;
using Tessera.Server;
using Tessera.Server.OpenApi;
using Tessera.Server.Accounts;
using Tessera.Server.Audit;
using Tessera.Server.Groups;
using Tessera.Server.Resources;
using Tessera.Server.Catalog;
using Tessera.Server.Decisions;
using Tessera.Server.Errors;
using Tessera.Server.Health;
using Tessera.Server.Hosting;
using Tessera.Server.Http;
using Tessera.Server.Observability;
using Tessera.Server.Identity;
using Tessera.Server.Policies;
using Tessera.Server.Roles;
using Tessera.Server.WebConsole;
using Tessera.Storage;

// backup, restore, recover-operator-key: run against the store, then exit (no server).
if (OperatorCommands.IsCommand(args))
    return await OperatorCommands.RunAsync(args, Console.Out, Console.Error);

// The slim builder: no host filtering, IIS or HTTPS plumbing that a loopback or load-balanced IAM service does not use, and less
// per-request work on the decision path.
var builder = WebApplication.CreateSlimBuilder(args);

// One line per request from ASP.NET Core would cost more than a decision; keep its log at Warning unless configured.
if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
    builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// Any enabled level of the hosting category makes ASP.NET Core start an Activity (and a log scope) for every request,
// which at decision rates costs more than the decision; it logs only per-request lines anyway.
if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] is null)
    builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

var options = TesseraOptions.FromConfiguration(builder.Configuration);
ServiceCatalog catalog;
RateLimitOptions rateLimits;
TrailRetentionOptions retention;
PermitRecorderOptions permitRecording;
try
{
    catalog = ServiceCatalog.LoadBuiltIn(options.CatalogFile);
    rateLimits = RateLimitOptions.FromConfiguration(builder.Configuration);
    retention = TrailRetentionOptions.FromConfiguration(builder.Configuration, options.DataDirectory);
    permitRecording = PermitRecorderOptions.FromConfiguration(builder.Configuration);
    if (Tls.IsConfigured(options, builder.Configuration))
        Tls.Configure(builder, options);
}
catch (Exception ex) when (ex is CatalogException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"Tessera cannot start: {ex.Message}");
    return 2;
}

builder.Services.AddSingleton(Options.Create(options));
builder.Services.AddSingleton(catalog);
builder.Services.AddSingleton<PolicyValidator>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<DecisionIndex>(services => new DecisionIndex(new CatalogRoleActions(catalog), services.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<ResourceDirectory>();
builder.Services.AddSingleton<Decider>();
builder.Services.AddSingleton(new RevisionSignal(options.MaxConsistencyWaiters));
builder.Services.AddSingleton<RefusalLimiter>();
builder.Services.AddSingleton<ManagementMetrics>();
builder.Services.AddSingleton<Refusals>();
builder.Services.AddHostedService<RefusalWriter>();
builder.Services.AddSingleton(retention);
builder.Services.AddSingleton<TrailRetention>();
builder.Services.AddHostedService(services => services.GetRequiredService<TrailRetention>());
builder.Services.AddSingleton(permitRecording);
builder.Services.AddSingleton<PermitRecorder>();
builder.Services.AddHostedService(services => services.GetRequiredService<PermitRecorder>());
builder.Services.AddSingleton<AccessAuthority>();
builder.Services.AddSingleton<RuleBook>();
builder.Services.AddSingleton<DecisionAudience>();
builder.Services.AddSingleton<AuthZenReader>();
builder.Services.AddTesseraStore(options);
builder.Services.AddSingleton<TokenService>();
builder.Services.AddSingleton<ISigningKeys>(services => services.GetRequiredService<TokenService>());
builder.Services.AddSingleton<VerifiedTokens>();
builder.Services.AddSingleton<Bootstrapper>();
builder.Services.AddSingleton(services => new ServerMetrics(services.GetRequiredService<RevisionSignal>(), services.GetService<IChangeFollower>()));
// The runtime's own meter too (GC, allocation, thread pool, lock contention): read only when scraped.
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("tessera"))
    .WithMetrics(metrics => metrics
        .AddMeter(ServerMetrics.MeterName, ManagementMetrics.MeterName, "System.Runtime")
        .AddPrometheusExporter());
// No authentication services: BearerTokenMiddleware sets the user, and IbmAuthorizationResults answers 401 and 403.
// (ASP.NET Core adds its authentication middleware by itself when they are registered, and that middleware opens a
// service scope and creates a handler for every request.)
builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, IbmAuthorizationResults>();
// Deny by default: an endpoint is public only when it says AllowAnonymous.
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
builder.Services.AddExceptionHandler<UnexpectedErrors>();
builder.Services.AddTesseraRateLimits(rateLimits);
builder.Services.ConfigureHttpJsonOptions(json =>
{
    // What the handlers write with (ApiResults.Json), so that the OpenAPI document describes the same shapes; numbers are
    // strict, as the bodies' own readers are.
    json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default);
    json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
});
builder.Services.AddTesseraOpenApi();
builder.Services.AddTesseraConsole();

var app = builder.Build();

var store = app.Services.GetRequiredService<ITesseraStore>();
try
{
    await store.MigrateAsync(CancellationToken.None);
}
catch (StoreUnavailableException ex)
{
    await Console.Error.WriteLineAsync($"Tessera cannot start: its store cannot be reached or migrated: {ex.Message}");
    return 3;
}
var tokenService = app.Services.GetRequiredService<TokenService>();
await tokenService.InitializeAsync(CancellationToken.None);
// Tokens issued before this node started, for identities and keys deleted since, are refused from its first request.
app.Services.GetRequiredService<VerifiedTokens>().Revoke(await store.ReadCredentialChangesSinceAsync(
    TimeProvider.System.GetUtcNow() - tokenService.Lifetime - TokenService.ClockSkew - TokenService.ClockSkew, CancellationToken.None));
await app.Services.GetRequiredService<Bootstrapper>().BootstrapIfEmptyAsync(Console.Out, CancellationToken.None);
// The index and the directory follow the store from here on; they start from what the store holds.
var loading = System.Diagnostics.Stopwatch.StartNew();
var revision = await store.GetRevisionAsync(CancellationToken.None);
var index = app.Services.GetRequiredService<DecisionIndex>();
index.Load(Prefetch.Ahead(store.ReadActivePoliciesAsync(CancellationToken.None), capacity: 10_000, CancellationToken.None), revision);
app.Services.GetRequiredService<ResourceDirectory>().Load(
    store.ReadActiveInstancesAsync(CancellationToken.None).ToBlockingEnumerable(), store.ReadMembershipsAsync(CancellationToken.None).ToBlockingEnumerable());
app.Services.GetRequiredService<RevisionSignal>().StartFrom(revision);
app.Services.GetService<IChangeFollower>()?.StartFrom(revision);
StartupLog.IndexLoaded(app.Logger, index.Count, revision, loading.Elapsed.TotalSeconds);

app.UseTransactionIds();
// With TLS on Kestrel, browsers are told to stay on HTTPS (the header is sent on HTTPS responses only).
if (Tls.IsConfigured(options, builder.Configuration))
    app.UseHsts();
// UnexpectedErrors answers every exception; this fallback is what ASP.NET Core requires beside it and is never reached.
app.UseExceptionHandler(errorApp => errorApp.Run(context =>
    ErrorResults.WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "Tessera could not process the request.")));
app.UseRequestTextChecks();
// The Node SDK strips a trailing '/', the Go SDK keeps it: both must reach the same endpoint. Not under the browsable
// reference, which redirects /docs to /docs/ so that its page finds its scripts beside it: trimming that made a loop.
app.Use((context, next) =>
{
    var path = context.Request.Path.Value;
    if (path is { Length: > 1 } && path.EndsWith('/') && !context.Request.Path.StartsWithSegments(OpenApiDocumentation.ReferencePath))
        context.Request.Path = path.TrimEnd('/');
    return next(context);
});
app.UseTesseraConsole();
app.UseRouting();
app.UseBearerTokens();
// After the token is read (an identity spends its own budget), before anything that costs more.
app.UseTesseraRateLimits(rateLimits);
app.UseConsistencyTokens();
app.UseSelfAuthorizingEndpoints();
// After the fast lane: unknown routes and methods still get IBM's envelope, decisions do not pay for the wrapper.
app.UseStatusCodePages(context =>
{
    var response = context.HttpContext.Response;
    if (ConsoleSetup.IsConsole(context.HttpContext))
        return ConsoleSetup.WriteErrorAsync(context.HttpContext);
    return response.StatusCode switch
    {
        StatusCodes.Status404NotFound => ErrorResults.WriteAsync(context.HttpContext, 404, ErrorCodes.NotFound, "No such endpoint."),
        StatusCodes.Status405MethodNotAllowed => ErrorResults.WriteAsync(context.HttpContext, 405, ErrorCodes.MethodNotAllowed, "This endpoint does not support that method."),
        _ => ErrorResults.WriteAsync(context.HttpContext, response.StatusCode, ErrorCodes.InvalidBody, "The request cannot be processed."),
    };
});
app.UseAuthorization();

app.MapHealth();
// Scraped by Prometheus without a token (its targets are the nodes themselves); nothing in it names an account.
app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
app.MapIdentity();
app.MapPolicies();
app.MapAccounts();
app.MapServiceIds();
app.MapApiKeys();
app.MapResourceGroups();
app.MapResourceInstances();
app.MapAccessGroups();
app.MapEvents();
app.MapRoles();
app.MapCatalog();
app.MapDecisions();
app.MapTesseraOpenApi();
app.MapRazorPages();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
