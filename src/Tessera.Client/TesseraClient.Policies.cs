using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Tessera.Client.Models;

namespace Tessera.Client;

// Policies (v1 and v2 views of the same policies), roles and the catalog.
public sealed partial class TesseraClient
{
    public Task<PolicyV1> CreatePolicyAsync(PolicyV1 policy, CancellationToken cancellationToken = default) =>
        PostAsync("v1/policies", policy, ClientJsonContext.Default.PolicyV1, ClientJsonContext.Default.PolicyV1, cancellationToken);

    public Task<PolicyV2> CreatePolicyAsync(PolicyV2 policy, CancellationToken cancellationToken = default) =>
        PostAsync("v2/policies", Writable(policy), ClientJsonContext.Default.PolicyV2, ClientJsonContext.Default.PolicyV2, cancellationToken);

    /// <summary>
    /// Creates many policies in one request (Tessera's <c>POST /v2/policies/batch</c>, not IBM's): one transaction, so all
    /// are created or, when one is refused, none; the error names the refused item (<c>policies[3]</c>). At most
    /// <see cref="MaxBatch"/> at a time.
    /// </summary>
    public async Task<IReadOnlyList<PolicyV2>> CreatePoliciesAsync(IReadOnlyList<PolicyV2> policies, CancellationToken cancellationToken = default) =>
        (await PostAsync("v2/policies/batch", new PolicyBatch { Policies = policies }, ClientJsonContext.Default.PolicyBatch,
            ClientJsonContext.Default.PolicyBatch, cancellationToken)).Policies;

    /// <summary>The most policies <see cref="CreatePoliciesAsync"/> takes in one request.</summary>
    public const int MaxBatch = 1000;

    public Task<PolicyV1> GetPolicyAsync(string policyId, CancellationToken cancellationToken = default) =>
        GetAsync("v1/policies/" + Segment(policyId), ClientJsonContext.Default.PolicyV1, cancellationToken);

    /// <param name="policyId">The policy.</param>
    /// <param name="format"><c>display</c> adds each role's actions.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public Task<PolicyV2> GetPolicyV2Async(string policyId, string? format = null, CancellationToken cancellationToken = default) =>
        GetAsync(Query("v2/policies/" + Segment(policyId), ("format", format)), ClientJsonContext.Default.PolicyV2, cancellationToken);

    /// <summary>The policy with the <c>ETag</c> a replace needs in <c>If-Match</c>.</summary>
    public async Task<(PolicyV2 Policy, string ETag)> GetPolicyV2ForUpdateAsync(string policyId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "v2/policies/" + Segment(policyId), null, cancellationToken);
        var policy = await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.PolicyV2, cancellationToken)
                     ?? throw new InvalidDataException("The policy came back empty.");
        // IBM's ETags are unquoted (1-…), which HttpClient's typed ETag header refuses to parse: read the header as sent.
        var etag = response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;
        return (policy, etag ?? throw new InvalidDataException("The policy came back without an ETag."));
    }

    /// <summary>Replaces a policy that has not changed since <paramref name="etag"/>; a stale one is a 412.</summary>
    public Task<PolicyV2> ReplacePolicyAsync(string policyId, string etag, PolicyV2 policy, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "v2/policies/" + Segment(policyId), () => JsonContent.Create(Writable(policy), ClientJsonContext.Default.PolicyV2),
            ClientJsonContext.Default.PolicyV2, cancellationToken, etag);

    /// <summary>
    /// The part of a policy a create or replace sends: a policy read from the server (with its id, dates, state and the
    /// roles' display names) can be sent back as it is, as the server refuses the fields it sets itself.
    /// </summary>
    private static PolicyV2 Writable(PolicyV2 policy) => policy with
    {
        Id = null, Href = null, CreatedAt = null, CreatedById = null, LastModifiedAt = null, LastModifiedById = null, State = null,
        LastPermitAt = null, LastPermitFrequency = null, Unmodeled = null,
        Control = new V2Control { Grant = new V2Grant { Roles = [.. policy.Control.Grant.Roles.Select(r => new PolicyRole { RoleId = r.RoleId })] } },
    };

    public Task DeletePolicyAsync(string policyId, CancellationToken cancellationToken = default) =>
        SendWithoutAnswerAsync(HttpMethod.Delete, "v1/policies/" + Segment(policyId), null, cancellationToken);

    /// <summary>Every policy that matches, all pages, in the v1 view.</summary>
    public IAsyncEnumerable<PolicyV1> ListPoliciesAsync(PolicyFilter filter, CancellationToken cancellationToken = default) =>
        ListPoliciesAsync("v1/policies", filter, ClientJsonContext.Default.PolicyPagePolicyV1, cancellationToken);

    /// <summary>Every policy that matches, all pages, in the v2 view.</summary>
    public IAsyncEnumerable<PolicyV2> ListPoliciesV2Async(PolicyFilter filter, CancellationToken cancellationToken = default) =>
        ListPoliciesAsync("v2/policies", filter, ClientJsonContext.Default.PolicyPagePolicyV2, cancellationToken);

    private async IAsyncEnumerable<TPolicy> ListPoliciesAsync<TPolicy>(string path, PolicyFilter filter,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<PolicyPage<TPolicy>> pageType, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string? start = null;
        do
        {
            var page = await GetAsync(Query(path, ("account_id", filter.AccountId), ("type", filter.Type), ("service_name", filter.ServiceName),
                ("source_service_name", filter.SourceServiceName), ("iam_id", filter.IamId), ("access_group_id", filter.AccessGroupId),
                ("state", filter.State), ("sort", filter.Sort), ("format", filter.Format),
                ("limit", filter.PageSize?.ToString(CultureInfo.InvariantCulture)), ("start", start)), pageType, cancellationToken);
            foreach (var policy in page.Policies)
                yield return policy;
            start = page.Next?.Start;
        }
        while (start is not null);
    }

    /// <summary>
    /// The roles of <paramref name="serviceName"/> (the platform roles without one); with <paramref name="sourceServiceName"/> and the <c>authorization</c>
    /// policy type, only those an authorization from that source may grant.
    /// </summary>
    public Task<RoleList> ListRolesAsync(string? serviceName, string? sourceServiceName = null, string? policyType = null, string? accountId = null,
        CancellationToken cancellationToken = default) =>
        GetAsync(Query("v2/roles", ("service_name", serviceName), ("source_service_name", sourceServiceName), ("policy_type", policyType),
            ("account_id", accountId)), ClientJsonContext.Default.RoleList, cancellationToken);

    public Task<Catalog> GetCatalogAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/catalog/services", ClientJsonContext.Default.Catalog, cancellationToken);
}
