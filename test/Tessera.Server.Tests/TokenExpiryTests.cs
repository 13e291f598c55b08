using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Server.Tests;

/// <summary>A token that was accepted (and so cached) is refused once it expires.</summary>
public sealed class TokenExpiryTests : IDisposable
{
    private readonly AdjustableTime _time = new();
    private readonly ClockedApp _app;

    public TokenExpiryTests() => _app = new ClockedApp(_time);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task CachedToken_IsRefusedAfterItExpires()
    {
        var owner = await _app.OperatorAsync();
        var path = $"/v1/policies?account_id={owner.AccountId}";
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendAsync(HttpMethod.Get, path)).Status);

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendAsync(HttpMethod.Get, path)).Status);

        _time.Advance(TimeSpan.FromMinutes(2));
        var (status, body, _) = await owner.Client.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Http.AssertIbmError(body, HttpStatusCode.Unauthorized, "invalid_token");
    }

    private sealed class ClockedApp(TimeProvider time) : TesseraApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(time));
        }
    }

    private sealed class AdjustableTime : TimeProvider
    {
        private TimeSpan _offset;

        public void Advance(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
    }
}
