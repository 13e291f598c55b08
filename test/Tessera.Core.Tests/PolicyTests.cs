using System.Text.Json.Nodes;
using Tessera.Audit;
using Tessera.Policies;
using Tessera.Storage;

namespace Tessera.Core.Tests;

public class PolicyTests
{
    [Fact]
    public void Fingerprint_IgnoresOrderAndOperatorSpelling()
    {
        var a = Sample();
        var b = a with
        {
            Id = "other",
            Subject = [.. a.Subject.Reverse().Select(x => x with { OperatorGiven = !x.OperatorGiven })],
            Roles = [.. a.Roles.Reverse()],
        };

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
    }

    [Fact]
    public void Fingerprint_DiffersWhenTheGrantDiffers()
    {
        var a = Sample();

        Assert.NotEqual(a.Fingerprint(), (a with { Roles = [a.Roles[0]] }).Fingerprint());
        Assert.NotEqual(a.Fingerprint(), (a with { Resource = [.. a.Resource, new AttributeConstraint("serviceInstance", "i", AttributeOperator.StringEquals, false)] }).Fingerprint());
    }

    [Fact]
    public void NewETag_CountsVersionsAndIsUniquePerWrite()
    {
        var first = Policy.NewETag(1);
        var again = Policy.NewETag(1);

        Assert.Matches("^1-[0-9a-f]{32}$", first);
        Assert.NotEqual(first, again);
        Assert.Equal(7, Policy.ETagVersion(Policy.NewETag(7)));
    }

    [Fact]
    public void PolicyBodyCodec_RoundTripsOrderOperatorsAndDescription()
    {
        var policy = Sample();

        var json = PolicyBodyCodec.Serialize(policy);
        var (description, subject, roles, resource, pattern, rule) = PolicyBodyCodec.Deserialize(json);

        Assert.Equal(policy.Description, description);
        Assert.Equal(policy.Subject, subject);
        Assert.Equal(policy.Roles, roles);
        Assert.Equal(policy.Resource, resource);
        Assert.Equal((null, null), (pattern, rule));
        // A policy without v2 content keeps the bytes stored before v2 existed.
        Assert.DoesNotContain("\"values\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"rule\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyBodyCodec_RoundTripsTheV2Content_ARuleAnyOfListsAndStringExists()
    {
        PolicyRule businessHours = new RuleCombination(true,
        [
            new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekAnyOf, ["1+00:00", "5+00:00"], true),
            new RuleCombination(false,
            [
                new RuleCondition(PolicyRule.CurrentTime, RuleOperator.TimeGreaterThanOrEquals, ["09:00:00+01:00"], false),
                new RuleCondition(PolicyRule.CurrentDateTime, RuleOperator.DateTimeLessThan, ["2027-01-01T00:00:00+00:00"], false),
            ]),
        ]);
        var policy = Sample() with
        {
            Subject = [.. Sample().Subject, new AttributeConstraint("resourceGroupId", "true", AttributeOperator.StringExists, true)],
            Resource = [.. Sample().Resource, AttributeConstraint.AnyOf("resource", AttributeOperator.StringMatchAnyOf, ["logs-*", "audit-?"])],
            Pattern = "time-based-conditions:weekly:custom-hours",
            Rule = businessHours,
        };

        var (_, subject, _, resource, pattern, rule) = PolicyBodyCodec.Deserialize(PolicyBodyCodec.Serialize(policy));

        Assert.Equal(policy.Subject, subject);
        Assert.Equal(policy.Resource, resource);
        Assert.Equal(["logs-*", "audit-?"], resource[^1].Values);
        Assert.Equal(policy.Pattern, pattern);
        Assert.Equal(businessHours, rule);
        Assert.NotEqual(Sample().Fingerprint(), policy.Fingerprint());
        Assert.NotEqual(policy.Fingerprint(), (policy with { Rule = new RuleCondition(PolicyRule.DayOfWeek, RuleOperator.DayOfWeekEquals, ["1"], false) }).Fingerprint());
    }

    [Fact]
    public void AuditEventCodec_WritesCadfAndReadsItBack()
    {
        var e = new AuditEvent
        {
            Id = "e1",
            AccountId = "acc",
            Action = "iam-am.policy.create",
            EventTime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
            Target = new AuditTarget("crn:v1:bluemix:public:iam-am::a/acc::policy:p1", "p1", "iam-am/policy"),
            ReasonCode = 201,
            Message = "IAM Access Management: create policy p1",
            RequestData = new JsonObject { ["method"] = "POST" },
        };

        var json = AuditEventCodec.ToJson(e);
        var back = AuditEventCodec.FromJson(json, 9, 3);

        Assert.Contains("\"eventTime\":\"2026-01-02T03:04:05.678+0000\"", json, StringComparison.Ordinal);
        Assert.Contains("\"typeURI\":\"iam-am/policy\"", json, StringComparison.Ordinal);
        Assert.Equal((e.Action, e.EventTime, e.Target, e.Initiator, 9L), (back.Action, back.EventTime, back.Target, back.Initiator, back.Revision));
        Assert.Equal("POST", (string?)back.RequestData!["method"]);
    }

    private static Policy Sample() => new()
    {
        Id = "p1",
        Type = PolicyType.Authorization,
        AccountId = "acc",
        Description = "desc",
        Subject = [new("accountId", "acc", AttributeOperator.StringEquals, false), new("serviceName", "event-notifications", AttributeOperator.StringEquals, true)],
        Roles = ["crn:v1:bluemix:public:iam::::serviceRole:Reader", "crn:v1:bluemix:public:cloud-object-storage::::serviceRole:ObjectWriter"],
        Resource = [new("accountId", "acc", AttributeOperator.StringEquals, true), new("serviceName", "cloud-object-storage", AttributeOperator.StringEquals, true)],
        CreatedAt = DateTimeOffset.UnixEpoch,
        CreatedById = "IBMid-1",
        LastModifiedAt = DateTimeOffset.UnixEpoch,
        LastModifiedById = "IBMid-1",
    };
}
