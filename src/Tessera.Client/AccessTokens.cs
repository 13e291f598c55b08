using System.Net.Http.Json;

namespace Tessera.Client;

/// <summary>An access token and when it stops being accepted.</summary>
public sealed record AccessToken(string Value, DateTimeOffset ExpiresAt, TimeSpan Lifetime);

/// <summary>Where a <see cref="TesseraClient"/> gets the bearer token it sends.</summary>
public interface IAccessTokenSource
{
    /// <summary>A token valid for a while yet; with <paramref name="renew"/>, a new one even if the current one looks valid (after a 401).</summary>
    ValueTask<string> GetTokenAsync(bool renew, CancellationToken cancellationToken);
}

/// <summary>
/// Exchanges an API key at <c>/identity/token</c> and exchanges it again before the token expires (a fifth of its lifetime
/// early, at most a minute, as IBM's SDK cores do), so that a long-running caller never sends an expired token.
/// </summary>
public sealed class ApiKeyTokenSource : IAccessTokenSource, IDisposable
{
    private const string ApiKeyGrant = "urn:ibm:params:oauth:grant-type:apikey";
    private static readonly TimeSpan MaxEarlyRenewal = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;
    private readonly string _apiKey;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private AccessToken? _current;

    /// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the Tessera endpoint.</param>
    /// <param name="apiKey">The API key; it is sent only to the token endpoint.</param>
    /// <param name="current">A token obtained earlier (a CLI's saved session), used while it is fresh.</param>
    /// <param name="time">The clock (tests move it).</param>
    public ApiKeyTokenSource(HttpClient http, string apiKey, AccessToken? current = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        _http = http;
        _apiKey = apiKey;
        _current = current;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised after each exchange with the new token, so a caller can keep it (the CLI saves it to its session file).</summary>
    public event EventHandler<AccessToken>? Renewed;

    public AccessToken? Current => _current;

    public async ValueTask<string> GetTokenAsync(bool renew, CancellationToken cancellationToken)
    {
        var seen = _current;
        if (!renew && IsFresh(seen))
            return seen!.Value;
        await _exchange.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have exchanged while this one waited.
            if (!ReferenceEquals(_current, seen) && IsFresh(_current))
                return _current!.Value;
            var token = await ExchangeAsync(_http, _apiKey, _time, cancellationToken);
            _current = token;
            Renewed?.Invoke(this, token);
            return token.Value;
        }
        finally
        {
            _exchange.Release();
        }
    }

    /// <summary>One exchange of <paramref name="apiKey"/> for a token; a refused key is a <see cref="TesseraApiException"/>.</summary>
    public static async Task<AccessToken> ExchangeAsync(HttpClient http, string apiKey, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        using var form = new FormUrlEncodedContent([new("grant_type", ApiKeyGrant), new("apikey", apiKey)]);
        using var response = await http.PostAsync(new Uri("identity/token", UriKind.Relative), form, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ApiErrors.ReadAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync(RequestJsonContext.Default.TokenResponse, cancellationToken)
                   ?? throw new InvalidDataException("The token endpoint answered an empty body.");
        var lifetime = TimeSpan.FromSeconds(body.ExpiresIn);
        return new AccessToken(body.AccessToken, DateTimeOffset.FromUnixTimeSeconds(body.Expiration), lifetime);
    }

    private bool IsFresh(AccessToken? token)
    {
        if (token is null)
            return false;
        var early = token.Lifetime / 5 < MaxEarlyRenewal ? token.Lifetime / 5 : MaxEarlyRenewal;
        return _time.GetUtcNow() < token.ExpiresAt - early;
    }

    public void Dispose() => _exchange.Dispose();
}
