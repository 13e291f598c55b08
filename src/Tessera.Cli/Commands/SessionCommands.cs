using System.CommandLine;
using Tessera.Cli.Output;
using Tessera.Cli.Session;
using Tessera.Client;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera login</c>, <c>logout</c> and <c>target</c>.</summary>
internal static class SessionCommands
{
    public static IEnumerable<Command> All() => [Login(), Logout(), Target()];

    private static Command Login()
    {
        var endpoint = Text("--api-endpoint", "The Tessera endpoint (or TESSERA_URL)", "URL", "-a");
        var apiKey = Text("--apikey", "The API key, or @FILE to read it from a file (or TESSERA_APIKEY)", "KEY|@FILE");
        return new Command("login", "Sign in with an API key and keep the session for the commands that follow")
            .With(endpoint, apiKey)
            .RunsOffline(async (parse, output, cancellationToken) =>
            {
                var url = parse.GetValue(endpoint) ?? Environment.GetEnvironmentVariable("TESSERA_URL")
                          ?? throw new CliException("No endpoint: pass -a URL or set TESSERA_URL.");
                var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("TESSERA_APIKEY")
                          ?? throw new CliException("No API key: pass --apikey KEY (or @FILE) or set TESSERA_APIKEY.");
                var uri = Endpoints.Parse(url);
                output.Status($"API endpoint: {uri}");
                output.Status("Authenticating...");
                using var http = TesseraClient.NewHttpClient(uri);
                AccessToken token;
                try
                {
                    token = await ApiKeyTokenSource.ExchangeAsync(http, ApiKeys.Read(key), TimeProvider.System, cancellationToken);
                }
                catch (HttpRequestException e)
                {
                    throw new CliException($"Cannot reach {uri}: {e.Message}");
                }
                var identity = TesseraClient.ReadIdentity(token.Value);
                var store = SessionStore.ForUser();
                store.Save(new SessionFile(http.BaseAddress!.ToString(), ApiKeys.Read(key), identity.AccountId, identity.IamId).WithToken(token));
                output.Ok();
                output.Status("");
                WriteTarget(output, http.BaseAddress!.ToString(), identity.AccountId, identity.IamId, null);
                return 0;
            });
    }

    private static Command Logout() =>
        new Command("logout", "End the session: forget the endpoint, the API key and the token").RunsOffline((_, output, _) =>
        {
            output.Status("Logging out...");
            output.Status(SessionStore.ForUser().Delete() ? "OK" : "OK (there was no session)");
            return Task.FromResult(0);
        });

    // An identity belongs to one account, so the target is the session's own: shown, not switched (ibmcloud's -c picks
    // among a user's several accounts, which Tessera's identities do not have).
    private static Command Target() =>
        new Command("target", "Show the endpoint, account and identity the commands use").Runs(async (run, cancellationToken) =>
        {
            var identity = await run.Client.GetIdentityAsync(cancellationToken);
            string? name = null;
            try
            {
                name = (await run.Client.GetAccountAsync(run.AccountId, cancellationToken)).Name;
            }
            catch (TesseraApiException)
            {
                // An identity that may not read its account still has a target: show the account's id.
            }
            WriteTarget(run.Out, run.Client.Endpoint.ToString(), run.AccountId, identity.IamId, name, identity.SubjectType);
            return 0;
        });

    private static void WriteTarget(CommandOutput output, string endpoint, string accountId, string iamId, string? accountName, string? type = null) =>
        output.Fields([("API endpoint", endpoint), ("Account", accountName is null ? accountId : $"{accountName} ({accountId})"),
            ("Identity", type is null ? iamId : $"{iamId} ({type})")]);
}
