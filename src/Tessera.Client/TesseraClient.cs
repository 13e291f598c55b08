using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tessera.Client;

/// <summary>
/// A typed client over Tessera's public API: IBM's management API (policies v1 and v2, roles, identities, resources,
/// accounts, access groups, the audit trail) and the AuthZEN decision API. It signs its requests with a token from an
/// <see cref="IAccessTokenSource"/> (exchanged again after a 401), waits out 429s as the server asks, and carries the
/// newest <c>Consistency-Token</c> it received on later requests, so that its own writes are seen by every node it asks.
/// Errors are <see cref="TesseraApiException"/>s. Thread-safe, like the <see cref="HttpClient"/> under it.
/// </summary>
public sealed partial class TesseraClient : IDisposable
{
    private const string ConsistencyTokenHeader = "Consistency-Token";
    private const int MaxRetries = 8;
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly IAccessTokenSource _tokens;
    private readonly bool _ownsHttp;
    private string? _consistencyToken;

    /// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the Tessera endpoint (ending in <c>/</c>).</param>
    /// <param name="tokens">Where the bearer tokens come from.</param>
    public TesseraClient(HttpClient http, IAccessTokenSource tokens)
        : this(http, tokens, ownsHttp: false)
    {
    }

    private TesseraClient(HttpClient http, IAccessTokenSource tokens, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tokens);
        if (http.BaseAddress is null)
            throw new ArgumentException("The HttpClient needs a BaseAddress: the Tessera endpoint.", nameof(http));
        _http = http;
        _tokens = tokens;
        _ownsHttp = ownsHttp;
    }

    /// <summary>A client for <paramref name="endpoint"/> that signs in with <paramref name="apiKey"/>.</summary>
    public static TesseraClient ForApiKey(Uri endpoint, string apiKey)
    {
        var http = NewHttpClient(endpoint);
        return new TesseraClient(http, new ApiKeyTokenSource(http, apiKey), ownsHttp: true);
    }

    /// <summary>An <see cref="HttpClient"/> for <paramref name="endpoint"/>, with the base address in the form relative paths need.</summary>
    public static HttpClient NewHttpClient(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var text = endpoint.ToString();
        return new HttpClient { BaseAddress = new Uri(text.EndsWith('/') ? text : text + "/") };
    }

    public Uri Endpoint => _http.BaseAddress!;

    /// <summary>The newest consistency token this client received (or was given); sent with every request.</summary>
    public string? ConsistencyToken
    {
        get => Volatile.Read(ref _consistencyToken);
        set => Volatile.Write(ref _consistencyToken, value);
    }

    private Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, cancellationToken);

    private Task<T> PostAsync<TBody, T>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, () => JsonContent.Create(body, bodyType), type, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, JsonTypeInfo<T> type,
        CancellationToken cancellationToken, string? ifMatch = null)
    {
        using var response = await SendAsync(method, path, content, cancellationToken, ifMatch: ifMatch);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken)
               ?? throw new InvalidDataException($"{method} {path} answered an empty body.");
    }

    private async Task SendWithoutAnswerAsync(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, content, cancellationToken);
    }

    /// <summary>
    /// Sends a request and returns a successful answer, or throws the server's error. A 401 is tried once more with a new
    /// token; a 429 (nothing was done) is tried again after the <c>Retry-After</c> the server gave.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, string? ifMatch = null)
    {
        var renewed = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content?.Invoke() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetTokenAsync(renewed, cancellationToken));
            if (ConsistencyToken is { } consistency)
                request.Headers.TryAddWithoutValidation(ConsistencyTokenHeader, consistency);
            // Unquoted, as IBM's ETags are: without validation, which would insist on quotes.
            if (ifMatch is not null)
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            var response = await _http.SendAsync(request, completion, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                if (response.Headers.TryGetValues(ConsistencyTokenHeader, out var tokens))
                    ConsistencyToken = tokens.FirstOrDefault() ?? ConsistencyToken;
                return response;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && !renewed)
                {
                    renewed = true;
                    continue;
                }
                var error = await ApiErrors.ReadAsync(response, cancellationToken);
                if (!ApiErrors.IsRetryable(response.StatusCode) || attempt >= MaxRetries)
                    throw error;
                var wait = error.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromMilliseconds(100 << Math.Min(attempt, 6));
                await Task.Delay(wait < MaxRetryWait ? wait : MaxRetryWait, cancellationToken);
            }
        }
    }

    private static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? path : $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{string.Join('&', present)}";
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            (_tokens as IDisposable)?.Dispose();
            _http.Dispose();
        }
    }
}
