namespace Tessera.Server.Tests.Fuzzing;

/// <summary>
/// The ids a fuzzed request may name: real objects of the node under attack, so that mutations reach the handlers
/// behind routing and authorization and not only the 404 of an unknown id.
/// </summary>
internal sealed record FuzzTarget(
    string AccountId,
    string OwnerToken,
    string NobodyToken,
    string ServiceId,
    string ApiKeyId,
    string PolicyId,
    string InstanceGuid,
    string InstanceCrn,
    string ResourceGroupId,
    string AccessGroupId,
    long Revision);

/// <summary>One route of the API and a valid body for it, which the fuzzer mutates.</summary>
internal sealed record FuzzRoute(string Method, string Path, string? Body, bool Writes, string ContentType = "application/json")
{
    /// <summary>Every route the server maps, with the ids of <paramref name="t"/> filled in.</summary>
    public static IReadOnlyList<FuzzRoute> All(FuzzTarget t)
    {
        var a = t.AccountId;
        var subject = $$"""{"type":"service","id":"crn:v1:bluemix:public:atracker:us-south:a/{{a}}:at-1::"}""";
        var resource = $$"""{"type":"bucket","id":"crn:v1:bluemix:public:cloud-object-storage:global:a/{{a}}:{{t.InstanceGuid}}:bucket:b"}""";
        const string action = """{"name":"cloud-object-storage.object.put"}""";
        var policy = $$"""
            {"type":"authorization","subjects":[{"attributes":[{"name":"accountId","value":"{{a}}"},{"name":"serviceName","value":"atracker"}]}],
             "roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}],
             "resources":[{"attributes":[{"name":"accountId","value":"{{a}}"},{"name":"serviceName","value":"cloud-object-storage"},
               {"name":"serviceInstance","value":"{{t.InstanceGuid}}"}]}],"description":"fuzz"}
            """;
        var v2Policy = $$$"""
            {"control":{"grant":{"roles":[{"role_id":"crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"}]}},"type":"authorization",
             "subject":{"attributes":[{"key":"accountId","operator":"stringEquals","value":"{{{a}}}"},{"key":"serviceName","operator":"stringEquals","value":"atracker"},
               {"key":"resourceGroupId","operator":"stringExists","value":true}]},
             "resource":{"attributes":[{"key":"accountId","operator":"stringEquals","value":"{{{a}}}"},{"key":"serviceName","operator":"stringEquals","value":"cloud-object-storage"},
               {"key":"serviceInstance","operator":"stringEqualsAnyOf","value":["{{{t.InstanceGuid}}}"]}]},
             "pattern":"time-based-conditions:once","rule":{"operator":"and","conditions":[
               {"key":"{{environment.attributes.current_date_time}}","operator":"dateTimeGreaterThanOrEquals","value":"2026-01-01T00:00:00+00:00"},
               {"key":"{{environment.attributes.day_of_week}}","operator":"dayOfWeekAnyOf","value":[1,"2+01:00"]}]},"description":"fuzz"}
            """;
        return
        [
            new("POST", "/identity/token", "grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=not-a-key&response_type=cloud_iam", false,
                "application/x-www-form-urlencoded"),
            new("GET", "/identity/keys", null, false),
            new("GET", "/healthz", null, false),
            new("GET", "/readyz", null, false),
            new("GET", "/metrics", null, false),
            new("GET", "/.well-known/authzen-configuration", null, false),
            new("GET", "/v1/catalog/services", null, false),
            new("GET", $"/v2/roles?service_name=cloud-object-storage&source_service_name=atracker&policy_type=authorization&account_id={a}", null, false),
            new("POST", "/v1/policies", policy, true),
            new("GET", $"/v1/policies?account_id={a}&type=authorization&sort=-created_at&limit=5", null, false),
            new("GET", $"/v1/policies/{t.PolicyId}", null, false),
            new("PUT", $"/v1/policies/{t.PolicyId}", policy, true),
            new("PATCH", $"/v1/policies/{t.PolicyId}", """{"state":"active"}""", true),
            new("DELETE", $"/v1/policies/{t.PolicyId}", null, true),
            new("POST", "/v2/policies", v2Policy, true),
            new("POST", "/v2/policies/batch", $$"""{"policies":[{{v2Policy}}]}""", true),
            new("GET", $"/v2/policies?account_id={a}&type=authorization&service_name=cloud-object-storage&sort=-last_modified_at&format=display&limit=5", null, false),
            new("GET", $"/v2/policies/{t.PolicyId}?format=display", null, false),
            new("PUT", $"/v2/policies/{t.PolicyId}", v2Policy, true),
            new("DELETE", $"/v2/policies/{t.PolicyId}", null, true),
            new("POST", "/v2/accounts", """{"name":"fuzz","owner_email":"fuzz@example.test"}""", true),
            new("GET", $"/v2/accounts/{a}", null, false),
            new("GET", $"/v2/accounts/{a}/users", null, false),
            new("POST", $"/v2/accounts/{a}/users", """{"email":"someone@example.test"}""", true),
            new("POST", "/v1/serviceids", $$"""{"account_id":"{{a}}","name":"fuzz","description":"d"}""", true),
            new("GET", $"/v1/serviceids?account_id={a}&pagesize=5", null, false),
            new("GET", $"/v1/serviceids/{t.ServiceId}", null, false),
            new("PUT", $"/v1/serviceids/{t.ServiceId}", """{"name":"renamed"}""", true),
            new("DELETE", $"/v1/serviceids/{t.ServiceId}", null, true),
            new("POST", $"/v1/serviceids/{t.ServiceId}/lock", null, true),
            new("DELETE", $"/v1/serviceids/{t.ServiceId}/lock", null, true),
            new("POST", "/v1/apikeys", $$"""{"name":"k","iam_id":"{{t.ServiceId}}","account_id":"{{a}}"}""", true),
            new("GET", $"/v1/apikeys?account_id={a}", null, false),
            new("GET", "/v1/apikeys/details", null, false),
            new("GET", $"/v1/apikeys/{t.ApiKeyId}", null, false),
            new("PUT", $"/v1/apikeys/{t.ApiKeyId}", """{"name":"renamed"}""", true),
            new("DELETE", $"/v1/apikeys/{t.ApiKeyId}", null, true),
            new("POST", "/v2/resource_groups", $$"""{"name":"g","account_id":"{{a}}"}""", true),
            new("GET", $"/v2/resource_groups?account_id={a}", null, false),
            new("GET", $"/v2/resource_groups/{t.ResourceGroupId}", null, false),
            new("PATCH", $"/v2/resource_groups/{t.ResourceGroupId}", """{"name":"renamed"}""", true),
            new("DELETE", $"/v2/resource_groups/{t.ResourceGroupId}", null, true),
            new("POST", "/v2/resource_instances",
                $$"""{"name":"i","target":"us-south","resource_group":"{{t.ResourceGroupId}}","resource_plan_id":"744bfc56-d12c-4866-88d5-dac9139e0e5d"}""", true),
            new("GET", $"/v2/resource_instances?account_id={a}&resource_group_id={t.ResourceGroupId}&limit=5", null, false),
            new("GET", $"/v2/resource_instances/{t.InstanceGuid}", null, false),
            new("DELETE", $"/v2/resource_instances/{t.InstanceGuid}", null, true),
            new("POST", $"/v2/groups?account_id={a}", """{"name":"ag","description":"d"}""", true),
            new("GET", $"/v2/groups?account_id={a}", null, false),
            new("GET", $"/v2/groups/{t.AccessGroupId}", null, false),
            new("DELETE", $"/v2/groups/{t.AccessGroupId}", null, true),
            new("GET", $"/v2/groups/{t.AccessGroupId}/members", null, false),
            new("PUT", $"/v2/groups/{t.AccessGroupId}/members", $$"""{"members":[{"iam_id":"{{t.ServiceId}}","type":"service"}]}""", true),
            new("DELETE", $"/v2/groups/{t.AccessGroupId}/members/{t.ServiceId}", null, true),
            new("GET", $"/v1/events?account_id={a}&limit=5", null, false),
            new("POST", "/access/v1/evaluation", $$$"""{"subject":{{{subject}}},"action":{{{action}}},"resource":{{{resource}}},"context":{"explain":true}}""", false),
            new("POST", "/access/v1/evaluations",
                $$$"""{"subject":{{{subject}}},"evaluations":[{"action":{{{action}}},"resource":{{{resource}}}},{"action":{"name":"x"},"resource":{{{resource}}}}],"options":{"evaluations_semantic":"execute_all"}}""", false),
            new("POST", "/access/v1/search/subject", $$$"""{"resource":{{{resource}}},"action":{{{action}}},"page":{"limit":2}}""", false),
            new("POST", "/access/v1/search/resource", $$$"""{"subject":{{{subject}}},"action":{{{action}}},"page":{"limit":2}}""", false),
            new("POST", "/access/v1/search/action", $$$"""{"subject":{{{subject}}},"resource":{{{resource}}}}""", false),
        ];
    }
}
