using System.Text.Json;

namespace Tessera.Cli.Tests;

/// <summary><c>tessera check</c>, <c>who-can</c>, <c>what-can</c> and <c>events [--follow]</c>.</summary>
public sealed class DecisionAndEventCommandTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Check_ExitsZeroOnPermit_OneOnDeny_AndExplainsWhenAsked()
    {
        var owner = await Signed.NewAccountAsync(server);
        var created = await owner.JsonAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer",
            "--target-resource-type", "bucket", "--target-resource", "audit");
        var source = $"crn:v1:bluemix:public:atracker:us-south:a/{owner.AccountId}:at-1::";
        var bucket = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{owner.AccountId}:cos-1:bucket:audit";

        var permit = await owner.Cli.RunAsync("check", source, "cloud-object-storage.object.put", bucket);
        Assert.True(permit.ExitCode == 0, permit.ToString());
        Assert.StartsWith("permit", permit.Stdout);
        Assert.Contains(created.GetProperty("id").GetString()!, permit.Stdout);

        var deny = await owner.Cli.RunAsync("check", source, "cloud-object-storage.object.get", bucket, "--explain");
        Assert.Equal(1, deny.ExitCode);
        Assert.StartsWith("deny", deny.Stdout);
        Assert.Contains("(action_not_granted)", deny.Stdout);
        Assert.Contains($"closest: policy {created.GetProperty("id").GetString()}", deny.Stdout);
        Assert.Contains("is not granted by its roles", deny.Stdout);

        var json = await owner.Cli.RunAsync("check", source, "cloud-object-storage.object.put", bucket, "--output", "json");
        using var decision = JsonDocument.Parse(json.Stdout);
        Assert.True(decision.RootElement.GetProperty("decision").GetBoolean());

        var notACrn = await owner.Cli.RunAsync("check", "atracker", "cloud-object-storage.object.put", "bucket");
        Assert.Equal(1, notACrn.ExitCode);
        Assert.Contains("is not a CRN", notACrn.Stderr);
    }

    [Fact]
    public async Task WhoCanAndWhatCan_AnswerFromTheSearches()
    {
        var owner = await Signed.NewAccountAsync(server);
        await owner.OkAsync("iam", "authorization-policy-create", "atracker", "cloud-object-storage", "Object Writer",
            "--target-resource-type", "bucket", "--target-resource", "audit");
        var bucket = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{owner.AccountId}:cos-1:bucket:audit";

        var who = await owner.JsonAsync("who-can", "cloud-object-storage.object.put", bucket);
        var subject = Assert.Single(who.EnumerateArray());
        Assert.Equal("atracker", subject.GetProperty("properties").GetProperty("serviceName").GetString());
        Assert.Contains("serviceName=atracker", (await owner.OkAsync("who-can", "cloud-object-storage.object.put", bucket)).Stdout);

        var what = await owner.OkAsync("what-can", $"crn:v1:bluemix:public:atracker:us-south:a/{owner.AccountId}:at-1::");
        var line = Assert.Single(what.Stdout.Split('\n'), l => l.Contains("resource=audit"));
        Assert.Contains("cloud-object-storage.object.put", line);
        Assert.DoesNotContain("cloud-object-storage.object.get,", line);
        var one = await owner.JsonAsync("what-can", $"crn:v1:bluemix:public:atracker:us-south:a/{owner.AccountId}:at-1::", "--action", "cloud-object-storage.object.get");
        Assert.Empty(one.EnumerateArray());
    }

    [Fact]
    public async Task Events_ListTheTrail_AndFollowShowsNewOnesAsTheyHappen()
    {
        var owner = await Signed.NewAccountAsync(server);
        await owner.OkAsync("iam", "service-id-create", "first");
        var listed = await owner.JsonAsync("events", "--action", "iam-identity.serviceid.create");
        Assert.Equal("iam-identity.serviceid.create", Assert.Single(listed.EnumerateArray()).GetProperty("action").GetString());
        Assert.Empty((await owner.JsonAsync("events", "--since", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))).EnumerateArray());

        using var follow = owner.Cli.Start(["events", "--follow", "--output", "json", "--action", "iam-identity.serviceid.create"]);
        var lines = new List<string>();
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        follow.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
            {
                lines.Add(e.Data);
                if (lines.Count == 2)
                    second.TrySetResult(e.Data);
            }
        };
        follow.BeginOutputReadLine();
        await owner.OkAsync("iam", "service-id-create", "second");
        var line = await second.Task.WaitAsync(TimeSpan.FromSeconds(30));
        follow.Kill(entireProcessTree: true);
        using var streamed = JsonDocument.Parse(line);
        Assert.Equal("iam-identity.serviceid.create", streamed.RootElement.GetProperty("action").GetString());
        Assert.Contains("second", streamed.RootElement.GetProperty("target").GetProperty("name").GetString());
    }
}
