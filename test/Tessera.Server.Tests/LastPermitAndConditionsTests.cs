using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Decisions;

namespace Tessera.Server.Tests;

/// <summary>
/// Decisions over HTTP that use what v2 added: a time-bound service-to-service grant (which IBM itself does not offer
/// for authorizations) decided at decision time, and each policy's last permit, counted by decisions and returned with
/// <c>format=include_last_permit</c>.
/// </summary>
public class LastPermitAndConditionsTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const string Put = "cloud-object-storage.object.put";

    [Fact]
    public async Task Permits_AreCounted_Recorded_ReturnedWithIncludeLastPermit_AndUnusedOnesSortFirst()
    {
        var tenant = await app.NewTenantAsync("last-permit");
        var (_, used, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-used"));
        var (_, unused, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/policies", Policies.AtrackerToCos(tenant.AccountId, "cos-unused"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 3; i++)
            Assert.True(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-used")));
        var (_, batch, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluations",
            new JsonObject { ["evaluations"] = new JsonArray(Evaluation(tenant.AccountId, "cos-used"), Evaluation(tenant.AccountId, "cos-used")) });
        Assert.Equal(2, batch.GetProperty("evaluations").GetArrayLength());

        await app.Services.GetRequiredService<PermitRecorder>().RecordAsync(CancellationToken.None);

        var usedId = used.GetProperty("id").GetString();
        var (_, shown, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{usedId}?format=include_last_permit");
        Assert.Equal(5, shown.GetProperty("last_permit_frequency").GetInt64());
        var at = DateTimeOffset.Parse(shown.GetProperty("last_permit_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(at, before, DateTimeOffset.UtcNow.AddSeconds(1));
        var (_, plain, _) = await tenant.Client.SendAsync(HttpMethod.Get, $"/v2/policies/{usedId}");
        Assert.False(plain.TryGetProperty("last_permit_at", out _));

        // An administrator looking for authorizations nobody uses: sort by last permit, the never-used first.
        var (_, list, _) = await tenant.Client.SendAsync(HttpMethod.Get,
            $"/v1/policies?account_id={tenant.AccountId}&type=authorization&sort=last_permit_at&format=include_last_permit");
        var order = list.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal([unused.GetProperty("id").GetString(), usedId], order);
        Assert.False(list.GetProperty("policies")[0].TryGetProperty("last_permit_at", out _));
        Assert.Equal(5, list.GetProperty("policies")[1].GetProperty("last_permit_frequency").GetInt64());
    }

    [Fact]
    public async Task ATimeBoundAuthorization_GrantsInsideItsWindow_AndExplainsItselfOutside()
    {
        var tenant = await app.NewTenantAsync("time-bound");
        var now = DateTimeOffset.UtcNow;
        var open = TimeBound(tenant.AccountId, "cos-open", now.AddHours(-1), now.AddHours(1));
        var closed = TimeBound(tenant.AccountId, "cos-closed", now.AddHours(-2), now.AddHours(-1));
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v2/policies", open)).Status);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.SendAsync(HttpMethod.Post, "/v2/policies", closed)).Status);

        Assert.True(await DecideAsync(tenant, Evaluation(tenant.AccountId, "cos-open")));
        var expired = Evaluation(tenant.AccountId, "cos-closed");
        expired["context"] = new JsonObject { ["explain"] = true };
        var (_, answer, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", expired);
        Assert.False(answer.GetProperty("decision").GetBoolean());
        Assert.Equal("outside_its_conditions", answer.GetProperty("context").GetProperty("reason_code").GetString());
    }

    private static JsonObject TimeBound(string account, string instance, DateTimeOffset from, DateTimeOffset until)
    {
        var body = Policies.V2Authorization([$"accountId={account}", "serviceName=atracker"], [Policies.ObjectWriter],
            [$"accountId={account}", "serviceName=cloud-object-storage", $"serviceInstance={instance}"]);
        body["pattern"] = "time-based-conditions:once";
        body["rule"] = new JsonObject
        {
            ["operator"] = "and",
            ["conditions"] = new JsonArray(
                Policies.V2Attribute("{{environment.attributes.current_date_time}}", "dateTimeGreaterThanOrEquals", from.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)),
                Policies.V2Attribute("{{environment.attributes.current_date_time}}", "dateTimeLessThan", until.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))),
        };
        return body;
    }

    private static async Task<bool> DecideAsync(Tenant tenant, JsonObject request)
    {
        var (status, body, _) = await tenant.Client.SendAsync(HttpMethod.Post, "/access/v1/evaluation", request);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("decision").GetBoolean();
    }

    private static JsonObject Evaluation(string account, string instance) => new()
    {
        ["subject"] = new JsonObject { ["type"] = "service", ["id"] = $"crn:v1:bluemix:public:atracker:us-south:a/{account}:at-1::" },
        ["action"] = new JsonObject { ["name"] = Put },
        ["resource"] = new JsonObject { ["type"] = "bucket", ["id"] = $"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}:{instance}:bucket:logs" },
    };
}
