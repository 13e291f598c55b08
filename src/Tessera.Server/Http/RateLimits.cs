using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Tessera.Errors;
using Tessera.Management;
using Tessera.Server.Errors;

namespace Tessera.Server.Http;

/// <summary>
/// ASP.NET Core's rate limiter in front of every route but the two evaluation endpoints (whose budget
/// <see cref="DecisionBudgets"/> takes on the fast lane), in separate budgets: the token endpoint (API-key guessing),
/// decisions, writes and reads. An authenticated caller spends the budget of its identity, wherever it connects from; a
/// caller without a valid token spends its client address's, so that one noisy address cannot exhaust anyone else's.
/// Each budget is a token bucket (a burst, then a steady rate), set by the operator under <c>RateLimits</c>
/// (for example <c>RateLimits__Writes__PerSecond=200</c>); a refused request gets 429 with <c>Retry-After</c> in IBM's envelope.
/// </summary>
internal static class RateLimits
{
    public static IServiceCollection AddTesseraRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        if (!limits.Enabled)
            return services;
        services.AddSingleton(provider => new DecisionBudgets(limits, provider.GetRequiredService<TimeProvider>()));
        // Made once: a lambda written inside the per-request one would be a new delegate for every request.
        Func<Partition, TokenBucketRateLimiterOptions> bucketOf = key => limits.Of(key.Budget).ToBucket();
        return services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, Partition>(context =>
            {
                var budget = BudgetOf(context.Request);
                var partition = context.User.FindFirst(Caller.IamIdClaim)?.Value is { } iamId && budget != Budget.Token
                    ? new Partition(budget, iamId, null)
                    : new Partition(budget == Budget.Token ? Budget.Token : Budget.Anonymous, null, context.Connection.RemoteIpAddress);
                return RateLimitPartition.GetTokenBucketLimiter(partition, bucketOf);
            });
            options.OnRejected = static (rejected, _) =>
                new ValueTask(TooManyAsync(rejected.HttpContext, BudgetOf(rejected.HttpContext.Request), rejected.Lease));
        });
    }

    /// <summary>The 429 of a spent budget, with <c>Retry-After</c> from the lease (at least 1 s).</summary>
    public static Task TooManyAsync(HttpContext context, Budget budget, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        if (WebConsole.ConsoleSetup.IsConsole(context))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return WebConsole.ConsoleSetup.WriteErrorAsync(context);
        }
        return ErrorResults.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyRequests,
            $"Too many requests: this caller's {budget.ToString().ToLowerInvariant()} budget is spent. Retry after {retryAfter} s.");
    }

    public static IApplicationBuilder UseTesseraRateLimits(this IApplicationBuilder app, RateLimitOptions limits) =>
        limits.Enabled ? app.UseRateLimiter() : app;

    private static Budget BudgetOf(HttpRequest request) =>
        request.Path.StartsWithSegments("/access/v1", StringComparison.Ordinal) ? Budget.Decisions
        : request.Path.StartsWithSegments("/identity/token", StringComparison.Ordinal) ? Budget.Token
        // The console's sign-in exchanges an API key as the token endpoint does: a guess there spends the same budget.
        : HttpMethods.IsPost(request.Method) && request.Path.Equals(WebConsole.ConsoleSetup.SignInPath, StringComparison.OrdinalIgnoreCase) ? Budget.Token
        : HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? Budget.Reads
        : Budget.Writes;

    /// <summary>Whose bucket: an identity's (by iam_id) or, without a valid token, a client address's.</summary>
    private readonly record struct Partition(Budget Budget, string? IamId, IPAddress? Address);
}

internal enum Budget
{
    Token,
    Decisions,
    Writes,
    Reads,
    Anonymous,
}

/// <summary>The operator's rate limits: configuration section <c>RateLimits</c>.</summary>
internal sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary><c>POST /identity/token</c>, per client address: enough for every client to refresh, too few to guess keys.</summary>
    public BucketOptions Token { get; set; } = new() { PerSecond = 10, Burst = 50 };

    /// <summary>AuthZEN requests, per identity: far above what one node answers, so that only a runaway caller meets it.</summary>
    public BucketOptions Decisions { get; set; } = new() { PerSecond = 200_000, Burst = 200_000 };

    /// <summary>Management writes, per identity.</summary>
    public BucketOptions Writes { get; set; } = new() { PerSecond = 100, Burst = 500 };

    /// <summary>Management reads, per identity.</summary>
    public BucketOptions Reads { get; set; } = new() { PerSecond = 1_000, Burst = 5_000 };

    /// <summary>Any request without a valid token (other than for one), per client address.</summary>
    public BucketOptions Anonymous { get; set; } = new() { PerSecond = 50, Burst = 200 };

    public BucketOptions Of(Budget budget) => budget switch
    {
        Budget.Token => Token,
        Budget.Decisions => Decisions,
        Budget.Writes => Writes,
        Budget.Reads => Reads,
        _ => Anonymous,
    };

    public static RateLimitOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new RateLimitOptions();
        configuration.GetSection("RateLimits").Bind(options);
        foreach (var budget in Enum.GetValues<Budget>())
        {
            var bucket = options.Of(budget);
            if (bucket.PerSecond < 1 || bucket.Burst < 1)
                throw new InvalidOperationException($"RateLimits:{budget}: PerSecond and Burst must be at least 1 (got {bucket.PerSecond} and {bucket.Burst})");
        }
        return options;
    }
}

internal sealed class BucketOptions
{
    public int PerSecond { get; set; }

    public int Burst { get; set; }

    public TokenBucketRateLimiterOptions ToBucket() => new()
    {
        TokenLimit = Burst,
        TokensPerPeriod = PerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
