using System.Text;
using Tessera.Catalog;

namespace Tessera.Core.Tests;

public class ServiceCatalogTests
{
    private static readonly ServiceCatalog Catalog = ServiceCatalog.LoadBuiltIn();

    // SPEC §2 and reference/atracker-and-event-notifications.md §0, §3.2, §5: every named pair, role and a key action of it.
    [Theory]
    [InlineData("atracker", "cloud-object-storage", "Object Writer", "cloud-object-storage.object.put")]
    [InlineData("atracker", "messagehub", "Writer", "messagehub.topic.write")]
    [InlineData("atracker", "logs", "Sender", "logs.data-ingress.send")]
    [InlineData("atracker", "apprapp", "Configuration Update Reporter", "apprapp.configuration-update.report")]
    [InlineData("event-notifications", "cloud-object-storage", "Reader", "cloud-object-storage.bucket.get")]
    [InlineData("event-notifications", "cloud-object-storage", "Object Writer", "cloud-object-storage.object.put")]
    [InlineData("event-notifications", "kms", "Reader", "kms.secrets.unwrap")]
    [InlineData("cloud-object-storage", "kms", "Reader", "kms.secrets.wrap")]
    [InlineData("databases-for-postgresql", "kms", "Reader", "kms.secrets.unwrap")]
    [InlineData("databases-for-postgresql", "kms", "Authorization Delegator", "iam.delegationPolicy.create")]
    [InlineData("logs-router", "logs", "Sender", "logs.data-ingress.send")]
    [InlineData("logs", "cloud-object-storage", "Writer", "cloud-object-storage.object.put")]
    public void BuiltIn_SupportsTheDocumentedPairs(string source, string target, string roleDisplayName, string action)
    {
        var pair = Catalog.FindService(target)!.FindAuthorizationFrom(source);

        Assert.NotNull(pair);
        var role = Assert.Single(pair.Roles, r => r.DisplayName == roleDisplayName);
        Assert.Contains(action, role.Actions);
    }

    [Fact]
    public void BuiltIn_EveryProvisionableServiceHasRolesAndAdministratorManagesPolicies()
    {
        Assert.All(Catalog.Services.Where(s => s.Plans.Count > 0), s => Assert.NotEmpty(s.ServiceRoles));
        Assert.Equal(["iam-access-management", "iam-groups", "iam-identity", "resource-controller", "user-management"],
            Catalog.Services.Where(s => s.Plans.Count == 0).Select(s => s.Name).Order(StringComparer.Ordinal));
        var administrator = Assert.Single(Catalog.PlatformRoles, r => r.Name == "Administrator");
        Assert.Equal("crn:v1:bluemix:public:iam::::role:Administrator", administrator.Crn);
        Assert.Superset(new HashSet<string> { "iam.policy.read", "iam.policy.create", "iam.policy.update", "iam.policy.delete", "iam.delegationPolicy.create" },
            administrator.Actions.ToHashSet());
    }

    [Theory]
    [InlineData("crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter")]
    [InlineData("crn:v1:bluemix:public:iam::::serviceRole:ObjectWriter", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter")]
    [InlineData("crn:v1:bluemix:public:iam::::serviceRole:Writer", "crn:v1:bluemix:public:iam::::serviceRole:Writer")]
    [InlineData("crn:v1:bluemix:public:cloud-object-storage::::serviceRole:Writer", "crn:v1:bluemix:public:iam::::serviceRole:Writer")]
    [InlineData("crn:v1:bluemix:public:iam::::role:Viewer", "crn:v1:bluemix:public:iam::::role:Viewer")]
    public void ResolveRole_AcceptsBothSpellingsAndReturnsTheCanonicalOne(string given, string canonical)
    {
        var role = Catalog.ResolveRole(Catalog.FindService("cloud-object-storage")!, given);

        Assert.Equal(canonical, role?.Crn);
    }

    [Theory]
    [InlineData("crn:v1:bluemix:public:kms::::serviceRole:ObjectWriter")]
    [InlineData("crn:v1:bluemix:public:iam::::serviceRole:Sender")]
    [InlineData("crn:v1:bluemix:public:iam::::role:Superuser")]
    [InlineData("crn:v1:bluemix:public:iam:global:::serviceRole:Reader")]
    [InlineData("Reader")]
    public void ResolveRole_RejectsRolesTheServiceDoesNotHave(string given)
    {
        Assert.Null(Catalog.ResolveRole(Catalog.FindService("cloud-object-storage")!, given));
    }

    [Theory]
    [InlineData("{", "not a valid catalog document")]
    [InlineData("""{"services": [], "platformRoles": [], "extra": 1}""", "not a valid catalog document")]
    [InlineData("""{"platformRoles": [], "services": []}""", "at least one platform role")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"svc","displayName":"S","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":["svc.read"]}],"authorizations":[{"source":"ghost","roles":["Reader"]}]}]}""",
        "source 'ghost' is not a service")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"svc","displayName":"S","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":["svc.read"]}],"authorizations":[{"source":"svc","roles":["Boss"]}]}]}""",
        "role 'Boss' is neither")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"svc","displayName":"S","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":[]}]}]}""",
        "at least one action")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"svc","displayName":"S","plans":[],"roles":[{"name":"Reader","actions":["x"]}]},{"name":"svc","displayName":"S","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":["x"]}]}]}""",
        "service name 'svc' appears 2 times")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"Bad Name","displayName":"S","plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":["x"]}]}]}""",
        "'name' must be a lowercase service name")]
    [InlineData(
        """{"platformRoles":[{"name":"Viewer","actions":["a.b"]}],"services":[{"name":"svc","displayName":"S","resourceTypes":["bucket"],"plans":[{"id":"p","name":"n"}],"roles":[{"name":"Reader","actions":["x"]}],"authorizations":[{"source":"svc","roles":["Reader"],"resourceTypes":["table"]}]}]}""",
        "resource type 'table' is not a resource type of svc")]
    public void Load_ReportsWhatIsWrong(string json, string expected)
    {
        var error = Assert.Throws<CatalogException>(() => Load(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExtensionAddsAndReplacesServices()
    {
        const string extension = """
            {"services":[
              {"name":"kms","displayName":"Key Protect (patched)","resourceTypes":["key"],"plans":[{"id":"kms-plan-2","name":"custom"}],
               "roles":[{"name":"Reader","actions":["kms.secrets.unwrap"]}],"authorizations":[{"source":"acme-backup","roles":["Reader"]}]},
              {"name":"acme-backup","displayName":"ACME Backup","plans":[{"id":"acme-1","name":"standard"}],"roles":[{"name":"Reader","actions":["acme-backup.job.read"]}]}
            ]}
            """;
        using var builtIn = typeof(ServiceCatalog).Assembly.GetManifestResourceStream("Tessera.catalog.json")!;
        using var overlay = new MemoryStream(Encoding.UTF8.GetBytes(extension));

        var catalog = ServiceCatalog.Load(builtIn, "built-in", overlay, "extension.json");

        Assert.Equal("Key Protect (patched)", catalog.FindService("kms")!.DisplayName);
        Assert.NotNull(catalog.FindService("kms")!.FindAuthorizationFrom("acme-backup"));
        Assert.Null(catalog.FindService("kms")!.FindAuthorizationFrom("cloud-object-storage"));
        Assert.NotNull(catalog.FindService("cloud-object-storage"));
    }

    [Fact]
    public void LoadBuiltIn_MissingExtensionFileIsACatalogError()
    {
        var error = Assert.Throws<CatalogException>(() => ServiceCatalog.LoadBuiltIn("/nonexistent/catalog.json"));

        Assert.Contains("/nonexistent/catalog.json", error.Message, StringComparison.Ordinal);
    }

    private static ServiceCatalog Load(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return ServiceCatalog.Load(stream, "test", null, null);
    }
}
