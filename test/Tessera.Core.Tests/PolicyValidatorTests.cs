using Tessera.Catalog;
using Tessera.Policies;

namespace Tessera.Core.Tests;

public class PolicyValidatorTests
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string ObjectWriter = "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter";
    private static readonly PolicyValidator Validator = new(ServiceCatalog.LoadBuiltIn());

    public static TheoryData<string, string> EveryScope => new()
    {
        // R5 sources: all instances, one resource group, one instance, one instance's resource type.
        { "serviceName=atracker", "serviceName=cloud-object-storage" },
        { "serviceName=atracker;resourceGroupId=rg1", "serviceName=cloud-object-storage" },
        { "serviceName=atracker;serviceInstance=src-guid", "serviceName=cloud-object-storage" },
        { "serviceName=atracker;serviceInstance=src-guid;resourceType=target", "serviceName=cloud-object-storage" },
        // R5 targets: one instance, one resource group, a bucket inside an instance, an instance named by CRN.
        { "serviceName=atracker", "serviceName=cloud-object-storage;serviceInstance=cos-guid" },
        { "serviceName=atracker", "serviceName=cloud-object-storage;resourceGroupId=rg2" },
        { "serviceName=atracker", "serviceName=cloud-object-storage;serviceInstance=cos-guid;resourceType=bucket;resource=audit-logs" },
        { "serviceName=atracker", $"serviceName=cloud-object-storage;serviceInstance=crn:v1:bluemix:public:cloud-object-storage:global:a/{Account}:cos-guid::" },
        // Cross-account source: only its account id is needed (R2).
        { "accountId=fedcba9876543210fedcba9876543210;serviceName=atracker", "serviceName=cloud-object-storage" },
    };

    [Theory]
    [MemberData(nameof(EveryScope))]
    public void TryValidate_AcceptsEveryScopeForm(string subject, string resource)
    {
        var ok = Validator.TryValidate(Draft(subject, resource, ObjectWriter), out var policy, out var error);

        Assert.True(ok, error?.Message);
        Assert.Equal(Account, policy!.AccountId);
        Assert.Equal([ObjectWriter], policy.Roles);
    }

    [Fact]
    public void TryValidate_CanonicalizesRoleAliases()
    {
        Assert.True(Validator.TryValidate(
            Draft("serviceName=atracker", "serviceName=cloud-object-storage", "crn:v1:bluemix:public:iam::::serviceRole:ObjectWriter"), out var policy, out _));
        Assert.Equal([ObjectWriter], policy!.Roles);
    }

    [Theory]
    [InlineData("serviceName=kms", "serviceName=cloud-object-storage", ObjectWriter, "does not accept authorizations from kms. Valid roles are NONE")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage", "crn:v1:bluemix:public:iam::::serviceRole:Manager", "Valid roles are Object Writer")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage", "not-a-crn", "role 'not-a-crn' cannot be granted")]
    [InlineData("serviceName=ghost", "serviceName=cloud-object-storage", ObjectWriter, "subject serviceName 'ghost' is not a service")]
    [InlineData("serviceName=atracker", "serviceName=ghost", ObjectWriter, "resource serviceName 'ghost' is not a service")]
    [InlineData("-accountId;serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter, "subject must include the attribute 'accountId'")]
    [InlineData("serviceName=atracker", "-accountId;serviceName=cloud-object-storage", ObjectWriter, "resource must include the attribute 'accountId'")]
    [InlineData("resourceGroupId=rg", "serviceName=cloud-object-storage", ObjectWriter, "a resource group as source or target grants Viewer")]
    [InlineData("serviceName=atracker", "serviceInstance=x", ObjectWriter, "resource must include the attribute 'serviceName'")]
    [InlineData("serviceName=atracker;serviceInstance=a;resourceGroupId=b", "serviceName=cloud-object-storage", ObjectWriter, "either 'serviceInstance' or 'resourceGroupId'")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage;resource=b1", ObjectWriter, "needs 'resourceType'")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage;resourceType=table", ObjectWriter, "resourceType 'table' is not allowed here; valid resource types: bucket")]
    [InlineData("serviceName=atracker;colour=blue", "serviceName=cloud-object-storage", ObjectWriter, "subject attribute 'colour' is not supported")]
    [InlineData("serviceName=atracker;serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter, "appears more than once")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage;serviceInstance=crn:v1:broken", ObjectWriter, "resource serviceInstance: 'crn:v1:broken' is not a CRN")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage;serviceInstance=crn:v1:bluemix:public:kms:global:a/x:guid::", ObjectWriter, "is an instance of kms")]
    [InlineData("serviceName=atracker", "serviceName=cloud-object-storage", "", "role '' cannot be granted")]
    public void TryValidate_RejectsWithAPreciseMessage(string subject, string resource, string role, string expected)
    {
        Assert.False(Validator.TryValidate(Draft(subject, resource, role), out _, out var error));
        Assert.Equal(400, error.Status);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_RejectsDuplicateRolesEvenWhenSpelledDifferently()
    {
        var draft = Draft("serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter) with
        {
            RoleIds = [ObjectWriter, "crn:v1:bluemix:public:iam::::serviceRole:ObjectWriter"],
        };

        Assert.False(Validator.TryValidate(draft, out _, out var error));
        Assert.Contains("listed more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_RejectsValuesOverTheLimitAndExactMatchOperatorsOnIdentity()
    {
        var tooLong = Draft("serviceName=atracker", "serviceName=cloud-object-storage;resourceType=bucket;resource=" + new string('b', 1001), ObjectWriter);
        Assert.False(Validator.TryValidate(tooLong, out _, out var lengthError));
        Assert.Contains("1 to 1000 characters", lengthError.Message, StringComparison.Ordinal);

        var wildcardAccount = Draft("serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter) with
        {
            Subject = [new AttributeConstraint("accountId", "*", AttributeOperator.StringMatch, true), new AttributeConstraint("serviceName", "atracker", AttributeOperator.StringEquals, false)],
        };
        Assert.False(Validator.TryValidate(wildcardAccount, out _, out var operatorError));
        Assert.Contains("must use 'stringEquals'", operatorError.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iam_id=IBMid-1", "serviceName=kms;serviceInstance=k1", "crn:v1:bluemix:public:iam::::role:Administrator")]
    [InlineData("access_group_id=AccessGroupId-1", "serviceName=kms", "crn:v1:bluemix:public:iam::::serviceRole:Reader")]
    [InlineData("iam_id=IBMid-1", "resourceGroupId=rg1", "crn:v1:bluemix:public:iam::::role:Editor")]
    [InlineData("iam_id=IBMid-1", "", "crn:v1:bluemix:public:iam::::serviceRole:Manager")]
    [InlineData("iam_id=iam-ServiceId-1", "serviceName=iam-identity", "crn:v1:bluemix:public:iam::::role:Viewer")]
    public void TryValidate_AcceptsAccessPoliciesOnEveryScope(string subject, string resource, string role)
    {
        var draft = Draft(subject, resource, role) with { Type = PolicyType.Access, Subject = [Attribute(subject)] };

        Assert.True(Validator.TryValidate(draft, out var policy, out var error), error?.Message);
        Assert.Equal(PolicyType.Access, policy.Type);
    }

    [Theory]
    [InlineData("serviceName=atracker", "serviceName=kms", "crn:v1:bluemix:public:iam::::role:Viewer", "subject is one attribute, 'iam_id'")]
    [InlineData("iam_id=IBMid-1", "serviceInstance=k1", "crn:v1:bluemix:public:iam::::role:Viewer", "need 'serviceName'")]
    [InlineData("iam_id=IBMid-1", "serviceName=kms", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter", "is not a role of kms")]
    [InlineData("iam_id=IBMid-1", "", "crn:v1:bluemix:public:iam::::role:Overlord", "not a platform role nor a role of any service")]
    [InlineData("iam_id=IBMid-1", "serviceName=ghost", "crn:v1:bluemix:public:iam::::role:Viewer", "'ghost' is not a service")]
    public void TryValidate_RejectsAccessPoliciesWithAPreciseMessage(string subject, string resource, string role, string expected)
    {
        var subjects = subject.Contains("iam_id", StringComparison.Ordinal) ? [Attribute(subject)] : Attributes(subject);
        var draft = Draft(subject, resource, role) with { Type = PolicyType.Access, Subject = subjects };

        Assert.False(Validator.TryValidate(draft, out _, out var error));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static AttributeConstraint Attribute(string spec) =>
        new(spec.Split('=')[0], spec.Split('=')[1], AttributeOperator.StringEquals, false);

    /// <summary>"name=value;…" with accountId added unless "-accountId" is given.</summary>
    public static TheoryData<string, string?, PolicyRule?> BadRules => new()
    {
        { "a rule needs its pattern", null, new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeLessThan, ["17:00:00+00:00"], false) },
        { "a rule needs its pattern", "attribute-based-condition:resource:literal-and-wildcard",
            new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeLessThan, ["17:00:00+00:00"], false) },
        { "pattern is set but rule is not", "time-based-conditions:once", null },
        { "is not a time of day", "time-based-conditions:weekly:custom-hours", new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeLessThan, ["5pm"], false) },
        { "is not a time of day", "time-based-conditions:weekly:custom-hours", new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeLessThan, ["17:00:00+15:00"], false) },
        { "is not a date and time", "time-based-conditions:once", new RuleCondition(PolicyRule.CurrentDateTime, RuleOperator.DateTimeLessThan, ["2026-12-01"], false) },
        { "is not a day of the week", "time-based-conditions:weekly:all-day", new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekAnyOf, ["8+00:00"], true) },
        { "takes a list of 1 to 7 days", "time-based-conditions:weekly:all-day", new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekAnyOf, ["1"], false) },
        { "key must be", "time-based-conditions:weekly:all-day", new RuleCondition(PolicyRule.CurrentTime, RuleOperator.DayOfWeekEquals, ["1"], false) },
        { "conditions must hold 1 to 10", "time-based-conditions:once", new RuleCombination(true, []) },
        { "nest at most one level deep", "time-based-conditions:once", new RuleCombination(true, [new RuleCombination(false,
            [new RuleCombination(true, [new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekEquals, ["1"], false)])])]) },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void TryValidate_RefusesARuleThatCannotBeDecided(string expected, string? pattern, PolicyRule? rule)
    {
        var draft = Draft("serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter) with { Pattern = pattern, Rule = rule };

        Assert.False(Validator.TryValidate(draft, out _, out var error));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void TryValidate_AcceptsTheV2Operators_AndKeepsTheRule()
    {
        PolicyRule rule = new RuleCondition(PolicyRule.CurrentDateTime, RuleOperator.DateTimeLessThan, ["2027-01-01T00:00:00Z"], false);
        var draft = Draft("serviceName=atracker", "serviceName=cloud-object-storage", ObjectWriter) with { Pattern = "time-based-conditions:once", Rule = rule };
        draft = draft with
        {
            Subject = [.. draft.Subject, new AttributeConstraint("resourceGroupId", "true", AttributeOperator.StringExists, true)],
            Resource = [.. draft.Resource, AttributeConstraint.AnyOf("serviceInstance", AttributeOperator.StringEqualsAnyOf, ["i1", "i2"])],
        };

        Assert.True(Validator.TryValidate(draft, out var policy, out var error), error?.Message);
        Assert.Equal((rule, "time-based-conditions:once"), (policy.Rule, policy.Pattern));

        var maybe = draft with { Subject = [.. draft.Subject.SkipLast(1), new AttributeConstraint("resourceGroupId", "maybe", AttributeOperator.StringExists, true)] };
        Assert.False(Validator.TryValidate(maybe, out _, out error));
        Assert.Contains("takes the value true or false", error.Message, StringComparison.Ordinal);
        var empty = draft with { Resource = [.. draft.Resource.SkipLast(1), AttributeConstraint.AnyOf("serviceInstance", AttributeOperator.StringEqualsAnyOf, [])] };
        Assert.False(Validator.TryValidate(empty, out _, out error));
        var inexact = draft with { Resource = [.. draft.Resource.Where(a => a.Name != "serviceName"), AttributeConstraint.AnyOf("serviceName", AttributeOperator.StringEqualsAnyOf, ["kms"])] };
        Assert.False(Validator.TryValidate(inexact, out _, out error));
    }

    internal static PolicyDraft Draft(string subject, string resource, string role) =>
        new(PolicyType.Authorization, "test", Attributes(subject), [role], Attributes(resource));

    private static List<AttributeConstraint> Attributes(string spec)
    {
        var parts = spec.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var attributes = new List<AttributeConstraint>();
        if (!parts.Remove("-accountId") && !parts.Any(p => p.StartsWith("accountId=", StringComparison.Ordinal)))
            attributes.Add(new AttributeConstraint("accountId", Account, AttributeOperator.StringEquals, false));
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            attributes.Add(new AttributeConstraint(part[..equals], part[(equals + 1)..], AttributeOperator.StringEquals, true));
        }
        return attributes;
    }
}
