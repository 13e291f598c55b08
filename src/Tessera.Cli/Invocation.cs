using System.CommandLine;
using Tessera.Cli.Output;
using Tessera.Cli.Session;
using Tessera.Client;

namespace Tessera.Cli;

/// <summary>
/// One run of a command that talks to a server: its parsed values, its output, and a client signed in from the saved
/// session (<c>tessera login</c>) or from <c>TESSERA_URL</c> and <c>TESSERA_APIKEY</c>, which win when both are set.
/// A token renewed on the way is saved back to the session file.
/// </summary>
internal sealed class Invocation : IDisposable
{
    private readonly HttpClient _http;
    private readonly ApiKeyTokenSource _tokens;

    private Invocation(ParseResult parse, CommandOutput output, HttpClient http, ApiKeyTokenSource tokens, string accountId, string iamId)
    {
        Parse = parse;
        Out = output;
        _http = http;
        _tokens = tokens;
        Client = new TesseraClient(http, tokens);
        AccountId = accountId;
        IamId = iamId;
    }

    public ParseResult Parse { get; }

    public CommandOutput Out { get; }

    public TesseraClient Client { get; }

    /// <summary>The account the command acts on: the signed-in identity's.</summary>
    public string AccountId { get; }

    public string IamId { get; }

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => Parse.GetValue(argument);

    public static async Task<Invocation> OpenAsync(ParseResult parse, CommandOutput output, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("TESSERA_URL") is { Length: > 0 } url
            && Environment.GetEnvironmentVariable("TESSERA_APIKEY") is { Length: > 0 } apiKey)
        {
            var http = TesseraClient.NewHttpClient(Endpoints.Parse(url));
            var tokens = new ApiKeyTokenSource(http, ApiKeys.Read(apiKey));
            var identity = TesseraClient.ReadIdentity(await tokens.GetTokenAsync(false, cancellationToken));
            return new Invocation(parse, output, http, tokens, identity.AccountId, identity.IamId);
        }

        var store = SessionStore.ForUser();
        var session = store.Load() ?? throw new CliException("Not logged in. Run 'tessera login -a URL --apikey KEY' (or set TESSERA_URL and TESSERA_APIKEY).");
        var sessionHttp = TesseraClient.NewHttpClient(new Uri(session.Endpoint));
        var sessionTokens = new ApiKeyTokenSource(sessionHttp, session.ApiKey, session.Token);
        sessionTokens.Renewed += (_, token) => store.Save((store.Load() ?? session).WithToken(token));
        return new Invocation(parse, output, sessionHttp, sessionTokens, session.AccountId, session.IamId);
    }

    public void Dispose()
    {
        Client.Dispose();
        _tokens.Dispose();
        _http.Dispose();
    }
}

/// <summary>Reading the endpoint a user typed.</summary>
internal static class Endpoints
{
    public static Uri Parse(string text) =>
        Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliException($"'{text}' is not an http(s) endpoint.");
}

/// <summary>An API key given on the command line, in the environment, or as <c>@file</c> (kept out of the shell's history).</summary>
internal static class ApiKeys
{
    public static string Read(string value)
    {
        if (!value.StartsWith('@'))
            return value;
        var path = value[1..];
        try
        {
            var text = File.ReadAllText(path).Trim();
            // A file saved from `tessera iam api-key-create --file` or IBM's CLI holds the key in JSON ("apikey").
            if (text.StartsWith('{'))
            {
                using var json = System.Text.Json.JsonDocument.Parse(text);
                if (json.RootElement.TryGetProperty("apikey", out var key) && key.GetString() is { Length: > 0 } fromJson)
                    return fromJson;
            }
            return text.Length > 0 ? text : throw new CliException($"The API key file {path} is empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new CliException($"Cannot read the API key from {path}: {e.Message}");
        }
    }
}
