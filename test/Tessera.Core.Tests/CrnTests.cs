using Tessera.Model;

namespace Tessera.Core.Tests;

public class CrnTests
{
    [Theory]
    [InlineData("crn:v1:bluemix:public:cloud-object-storage:global:a/59bcbfa6ea2f006b4ed7094c1a08dcdd:1a0ec336-f391-4091-a6fb-5e084a4c56f4::")]
    [InlineData("crn:v1:bluemix:public:cloud-object-storage:global:a/59bcbfa6ea2f006b4ed7094c1a08dcdd:1a0ec336-f391-4091-a6fb-5e084a4c56f4:bucket:mybucket")]
    [InlineData("crn:v1:bluemix:public:resource-controller:global:a/acc::resource-group:rg1")]
    [InlineData("crn:v1:bluemix:public:iam::::serviceRole:Reader")]
    [InlineData("crn:v1:bluemix:public:iam-am::a/81de6380e6232019c6567c9c8de6dece::policy:0f514810-d3f8-47b8-96d8-9e2ef484aee2")]
    public void Parse_RoundTripsExactly(string text)
    {
        Assert.Equal(text, Crn.Parse(text).ToString());
    }

    [Fact]
    public void Parse_SplitsEverySegment()
    {
        var crn = Crn.Parse("crn:v1:bluemix:public:cloud-object-storage:us-south:a/acc123:inst-1:bucket:logs");

        Assert.Equal(("cloud-object-storage", "us-south", "acc123", "inst-1", "bucket", "logs"),
            (crn.ServiceName, crn.Region, crn.AccountId, crn.ServiceInstance, crn.ResourceType, crn.Resource));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("crn:v1:bluemix:public:kms:global:a/acc:inst:", "expected 10")]
    [InlineData("crn:v1:bluemix:public:kms:global:a/acc:inst:::", "expected 10")]
    [InlineData("urn:v1:bluemix:public:kms:global:a/acc:inst::", "must start with 'crn:'")]
    [InlineData("crn:v2:bluemix:public:kms:global:a/acc:inst::", "unsupported CRN version")]
    [InlineData("crn:v1::public:kms:global:a/acc:inst::", "must not be empty")]
    [InlineData("crn:v1:bluemix:public:kms:global:acc:inst::", "invalid scope")]
    [InlineData("crn:v1:bluemix:public:kms:global:a/:inst::", "empty scope id")]
    public void TryParse_RejectsMalformedWithAReason(string text, string reason)
    {
        Assert.False(Crn.TryParse(text, out var crn, out var error));
        Assert.Null(crn);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Factories_FormatTheDocumentedShapes()
    {
        Assert.Equal("crn:v1:bluemix:public:kms:global:a/acc:guid::", Crn.ForInstance("kms", "global", "acc", "guid").ToString());
        Assert.Equal("crn:v1:bluemix:public:resource-controller:global:a/acc::resource-group:rg", Crn.ForResourceGroup("acc", "rg").ToString());
        Assert.Equal("crn:v1:bluemix:public:iam-am::a/acc::policy:p1", Crn.ForPolicy("acc", "p1").ToString());
    }
}
