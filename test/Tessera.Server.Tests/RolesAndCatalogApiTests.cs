using System.Net;
using System.Text.Json;

namespace Tessera.Server.Tests;

public class RolesAndCatalogApiTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Roles_ForAPairListExactlyItsRolesWithCrnsAndActions()
    {
        var owner = await app.OperatorAsync();

        var (status, roles, _) = await owner.Client.SendAsync(HttpMethod.Get,
            "/v2/roles?service_name=kms&source_service_name=databases-for-postgresql&policy_type=authorization&account_id=" + owner.AccountId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(roles.GetProperty("custom_roles").EnumerateArray());
        var reader = Assert.Single(roles.GetProperty("service_roles").EnumerateArray());
        Assert.Equal(("Reader", "crn:v1:bluemix:public:iam::::serviceRole:Reader"), (reader.GetProperty("display_name").GetString(), reader.GetProperty("crn").GetString()));
        Assert.Contains("kms.secrets.unwrap", reader.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        var delegator = Assert.Single(roles.GetProperty("system_roles").EnumerateArray());
        Assert.Equal(("Authorization Delegator", "crn:v1:bluemix:public:iam::::role:AuthorizationDelegator"),
            (delegator.GetProperty("display_name").GetString(), delegator.GetProperty("crn").GetString()));
    }

    [Theory]
    // Terraform prints the message of a failed role lookup; an empty list made it say "Valid roles are NONE".
    [InlineData("/v2/roles?service_name=cloud-object-storage&source_service_name=kms&policy_type=authorization",
        "role_not_supported", "cloud-object-storage does not accept authorizations from kms; it accepts them from atracker, event-notifications")]
    [InlineData("/v2/roles?service_name=event-notification&source_service_name=logs&policy_type=authorization",
        "service_not_found", "service_name 'event-notification' is not a service in the catalog; did you mean 'event-notifications'?")]
    [InlineData("/v2/roles?service_name=kms&source_service_name=cloud-object-store&policy_type=authorization",
        "service_not_found", "source_service_name 'cloud-object-store' is not a service in the catalog; did you mean 'cloud-object-storage'?")]
    [InlineData("/v2/roles?service_name=no-such-service", "service_not_found", "service_name 'no-such-service' is not a service in the catalog (see")]
    [InlineData("/v2/roles?service_name=atracker&source_service_name=kms&policy_type=authorization", "role_not_supported", "atracker accepts no authorizations")]
    public async Task Roles_ForAnUnknownServiceOrUnsupportedPair_Are404_SayingWhatWouldWork(string path, string code, string message)
    {
        var owner = await app.OperatorAsync();

        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Get, path);

        Http.AssertIbmError(body, HttpStatusCode.NotFound, code);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith(message, body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roles_ForAServiceListItsServiceRolesAndThePlatformRoles()
    {
        var owner = await app.OperatorAsync();

        var (_, roles, _) = await owner.Client.SendAsync(HttpMethod.Get, "/v2/roles?service_name=logs");

        Assert.Contains("Sender", Names(roles, "service_roles"));
        Assert.Contains("Administrator", Names(roles, "system_roles"));
    }

    [Theory]
    [InlineData("/v2/roles?service_name=kms&policy_type=group", "invalid_query_parameter")]
    [InlineData("/v2/roles?source_service_name=atracker&policy_type=authorization", "missing_required_query_parameter")]
    public async Task Roles_RejectBadParameters(string path, string code)
    {
        var owner = await app.OperatorAsync();

        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Http.AssertIbmError(body, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Catalog_ServesServicesPlansRolesAndSupportedPairs()
    {
        var tenant = await app.NewTenantAsync("reader");

        var (status, catalog, _) = await tenant.Client.SendAsync(HttpMethod.Get, "/v1/catalog/services");

        Assert.Equal(HttpStatusCode.OK, status);
        var cos = catalog.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "cloud-object-storage");
        Assert.NotEmpty(cos.GetProperty("plans").EnumerateArray());
        Assert.Contains("bucket", cos.GetProperty("resource_types").EnumerateArray().Select(t => t.GetString()));
        var objectWriter = cos.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "ObjectWriter");
        Assert.Contains("cloud-object-storage.object.put", objectWriter.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        var fromAtracker = cos.GetProperty("supported_authorizations").EnumerateArray().Single(a => a.GetProperty("source_service_name").GetString() == "atracker");
        Assert.Equal(["crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"], fromAtracker.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("Administrator", Names(catalog, "platform_roles", "name"));
    }

    private static IEnumerable<string?> Names(JsonElement body, string list, string property = "display_name") =>
        body.GetProperty(list).EnumerateArray().Select(r => r.GetProperty(property).GetString());
}
