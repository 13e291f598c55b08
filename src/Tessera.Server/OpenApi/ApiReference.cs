using Tessera.Server.Policies;

namespace Tessera.Server.OpenApi;

/// <summary>What the OpenAPI document says of one route beyond what the endpoint itself declares.</summary>
/// <param name="OperationId">IBM's SDK method name where IBM has the call (snake_case, as IBM's API definitions spell them).</param>
/// <param name="Summary">One line for the reference.</param>
/// <param name="Tag">The reference's section.</param>
/// <param name="Request">The body's shape, when the route takes one.</param>
/// <param name="Success">The status of a successful answer.</param>
/// <param name="Response">The answer's shape when the handler writes it itself (otherwise read from its typed result).</param>
/// <param name="RequestType">The body's media type.</param>
/// <param name="ETag">Whether the answer carries the object's <c>ETag</c> (and a change needs it in <c>If-Match</c>).</param>
internal sealed record RouteDoc(string OperationId, string Summary, string Tag, Type? Request = null, int Success = 200, Type? Response = null,
    string RequestType = "application/json", bool ETag = false);

/// <summary>
/// Every route's entry in the published document, in one table, so that a route added without one fails
/// <c>OpenApiDocumentTests</c> rather than going undocumented.
/// </summary>
internal static class ApiReference
{
    private const string Policies = "Policies";
    private const string Identity = "Identity";
    private const string Resources = "Resources";
    private const string Decisions = "Decisions (AuthZEN 1.0)";
    private const string Operations = "Operations";
    private const string Accounts = "Accounts and access groups";

    public static readonly IReadOnlyDictionary<string, RouteDoc> Routes = new Dictionary<string, RouteDoc>(StringComparer.Ordinal)
    {
        ["GET /healthz"] = new("get_health", "Whether the process is up", Operations),
        ["GET /readyz"] = new("get_readiness", "Whether the node can serve: its store and how far behind it is", Operations),
        ["GET /version"] = new("get_version", "The server's version", Operations),
        ["GET /metrics"] = new("get_metrics", "Prometheus metrics", Operations),
        ["POST /identity/token"] = new("create_access_token", "Exchange an API key for an access token", Identity, typeof(TokenForm),
            RequestType: "application/x-www-form-urlencoded"),
        ["GET /identity/keys"] = new("list_signing_keys", "The public keys that verify access tokens (JWKS)", Identity),
        ["POST /identity/keys"] = new("rotate_signing_key", "Start signing with a new key (operator)", Identity, Success: 201),
        ["GET /identity/.well-known/openid-configuration"] = new("get_openid_configuration", "OpenID Connect discovery of the token endpoint and keys", Identity),
        ["GET /v2/roles"] = new("list_roles", "The roles of a service, or those a source → target pair supports", Policies),
        ["GET /v1/catalog/services"] = new("list_catalog_services", "The service catalog: services, roles, actions, plans, supported pairs", Resources),
        ["POST /v1/policies"] = new("create_policy", "Create a policy (v1 view)", Policies, typeof(V1PolicyBody), 201, ETag: true),
        ["GET /v1/policies"] = new("list_policies", "List an account's policies (v1 view); without limit, all of them", Policies),
        ["GET /v1/policies/{policy_id}"] = new("get_policy", "Get a policy (v1 view)", Policies, ETag: true),
        ["PUT /v1/policies/{policy_id}"] = new("replace_policy", "Replace a policy (v1 view; If-Match)", Policies, typeof(V1PolicyBody), ETag: true),
        ["PATCH /v1/policies/{policy_id}"] = new("update_policy_state", "Restore a deleted policy (If-Match)", Policies, typeof(PolicyStateBody), ETag: true),
        ["DELETE /v1/policies/{policy_id}"] = new("delete_policy", "Delete a policy", Policies, Success: 204),
        ["POST /v2/policies"] = new("create_v2_policy", "Create a policy (v2 view: operators, rules)", Policies, typeof(V2PolicyBody), 201, ETag: true),
        ["POST /v2/policies/batch"] = new("create_v2_policies", "Create up to 1,000 policies in one transaction, all or none (Tessera, not IBM)", Policies,
            typeof(V2PolicyBatchBody), 201, typeof(V2PolicyBatch)),
        ["GET /v2/policies"] = new("list_v2_policies", "List an account's policies (v2 view); without limit, all of them", Policies),
        ["GET /v2/policies/{policy_id}"] = new("get_v2_policy", "Get a policy (v2 view; format=display adds the roles' actions)", Policies, ETag: true),
        ["PUT /v2/policies/{policy_id}"] = new("replace_v2_policy", "Replace a policy (v2 view; If-Match)", Policies, typeof(V2PolicyBody), ETag: true),
        ["DELETE /v2/policies/{policy_id}"] = new("delete_v2_policy", "Delete a policy", Policies, Success: 204),
        ["POST /v2/accounts"] = new("create_account", "Create an account and its owner (operator)", Accounts, typeof(AccountBody), 201),
        ["GET /v2/accounts/{account_id}"] = new("get_account", "Get an account", Accounts),
        ["POST /v2/accounts/{account_id}/users"] = new("add_user", "Add a user to an account", Accounts, typeof(UserBody), 201),
        ["GET /v2/accounts/{account_id}/users"] = new("list_users", "List an account's users", Accounts),
        ["DELETE /v2/accounts/{account_id}/users/{iam_id}"] = new("remove_user", "Remove a user, its keys, memberships and policies", Accounts, Success: 204),
        ["POST /v1/serviceids"] = new("create_service_id", "Create a service ID", Identity, typeof(ServiceIdBody), 201),
        ["GET /v1/serviceids"] = new("list_service_ids", "List an account's service IDs", Identity),
        ["GET /v1/serviceids/{id}"] = new("get_service_id", "Get a service ID", Identity, ETag: true),
        ["PUT /v1/serviceids/{id}"] = new("update_service_id", "Update a service ID (If-Match)", Identity, typeof(ServiceIdUpdateBody), ETag: true),
        ["DELETE /v1/serviceids/{id}"] = new("delete_service_id", "Delete a service ID, its keys and its policies", Identity, Success: 204),
        ["POST /v1/serviceids/{id}/lock"] = new("lock_service_id", "Lock a service ID", Identity, Success: 204),
        ["DELETE /v1/serviceids/{id}/lock"] = new("unlock_service_id", "Unlock a service ID", Identity, Success: 204),
        ["POST /v1/apikeys"] = new("create_api_key", "Create an API key (its secret is shown once)", Identity, typeof(ApiKeyBody), 201),
        ["GET /v1/apikeys"] = new("list_api_keys", "List API keys", Identity),
        ["GET /v1/apikeys/details"] = new("get_api_keys_details", "Details of the API key in the IAM-ApiKey header", Identity),
        ["GET /v1/apikeys/{id}"] = new("get_api_key", "Get an API key", Identity, ETag: true),
        ["PUT /v1/apikeys/{id}"] = new("update_api_key", "Update an API key (If-Match)", Identity, typeof(ApiKeyUpdateBody), ETag: true),
        ["DELETE /v1/apikeys/{id}"] = new("delete_api_key", "Delete an API key; its tokens end at once", Identity, Success: 204),
        ["POST /v2/resource_groups"] = new("create_resource_group", "Create a resource group", Resources, typeof(ResourceGroupBody), 201),
        ["GET /v2/resource_groups"] = new("list_resource_groups", "List resource groups", Resources),
        ["GET /v2/resource_groups/{id}"] = new("get_resource_group", "Get a resource group", Resources),
        ["PATCH /v2/resource_groups/{id}"] = new("update_resource_group", "Rename a resource group", Resources, typeof(ResourceGroupUpdateBody)),
        ["DELETE /v2/resource_groups/{id}"] = new("delete_resource_group", "Delete an empty resource group", Resources, Success: 204),
        ["POST /v2/resource_instances"] = new("create_resource_instance", "Create a service instance", Resources, typeof(ResourceInstanceBody), 201),
        ["GET /v2/resource_instances"] = new("list_resource_instances", "List service instances", Resources),
        ["GET /v2/resource_instances/{id}"] = new("get_resource_instance", "Get a service instance (by GUID or CRN)", Resources),
        ["DELETE /v2/resource_instances/{id}"] = new("delete_resource_instance", "Delete a service instance and what depends on it", Resources, Success: 204),
        ["POST /v2/groups"] = new("create_access_group", "Create an access group", Accounts, typeof(AccessGroupBody), 201),
        ["GET /v2/groups"] = new("list_access_groups", "List access groups", Accounts),
        ["GET /v2/groups/{id}"] = new("get_access_group", "Get an access group", Accounts),
        ["DELETE /v2/groups/{id}"] = new("delete_access_group", "Delete an access group", Accounts, Success: 204),
        ["PUT /v2/groups/{id}/members"] = new("add_members_to_access_group", "Add members to an access group", Accounts, typeof(MembersBody)),
        ["GET /v2/groups/{id}/members"] = new("list_access_group_members", "List an access group's members", Accounts),
        ["DELETE /v2/groups/{id}/members/{iam_id}"] = new("remove_member_from_access_group", "Remove a member", Accounts, Success: 204),
        ["GET /v1/events"] = new("list_events", "An account's audit trail", Operations),
        ["GET /v1/events/stream"] = new("stream_events", "The audit trail as it grows (server-sent events)", Operations),
        ["GET /.well-known/authzen-configuration"] = new("get_authzen_configuration", "AuthZEN PDP metadata", Decisions),
        ["POST /access/v1/evaluation"] = new("evaluate", "One decision", Decisions, typeof(EvaluationRequest), Response: typeof(EvaluationResponse)),
        ["POST /access/v1/evaluations"] = new("evaluate_many", "Many decisions in one request (without evaluations: one)", Decisions,
            typeof(EvaluationsRequest), Response: typeof(EvaluationsResponse)),
        ["POST /access/v1/search/subject"] = new("search_subjects", "Who may do an action on a resource", Decisions, typeof(SearchRequest),
            Response: typeof(SearchResponse)),
        ["POST /access/v1/search/resource"] = new("search_resources", "On what a subject may do an action", Decisions, typeof(SearchRequest),
            Response: typeof(SearchResponse)),
        ["POST /access/v1/search/action"] = new("search_actions", "What a subject may do on a resource", Decisions, typeof(SearchRequest),
            Response: typeof(SearchResponse)),
    };
}
