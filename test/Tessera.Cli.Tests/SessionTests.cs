using System.Text.Json;

namespace Tessera.Cli.Tests;

/// <summary><c>login</c>, <c>target</c>, <c>logout</c>: the session file, its permissions, and signing in from the environment or a file.</summary>
public sealed class SessionTests(CliServer server) : IClassFixture<CliServer>
{
    [Fact]
    public async Task Login_KeepsAnOwnerOnlySession_TargetShowsIt_AndLogoutEndsIt()
    {
        var cli = server.NewCli();
        var login = await cli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", CliServer.OperatorKey);
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains(server.OperatorAccountId, login.Stdout);

        var file = Path.Combine(cli.ConfigDirectory, "session.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cli.ConfigDirectory));
        using (var session = JsonDocument.Parse(File.ReadAllText(file)))
        {
            Assert.Equal(CliServer.OperatorKey, session.RootElement.GetProperty("api_key").GetString());
            Assert.StartsWith("ey", session.RootElement.GetProperty("access_token").GetString());
        }

        var target = await cli.RunAsync("target");
        Assert.Equal(0, target.ExitCode);
        Assert.Contains($"Operator ({server.OperatorAccountId})", target.Stdout);
        Assert.Contains("(user)", target.Stdout);

        var logout = await cli.RunAsync("logout");
        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(file));
        var after = await cli.RunAsync("iam", "authorization-policies");
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("Not logged in", after.Stderr);
    }

    [Fact]
    public async Task Login_ReadsTheKeyFromAFile_AndTheEnvironmentSignsInWithoutASession()
    {
        var keyFile = Path.Combine(Directory.CreateTempSubdirectory().FullName, "key.json");
        File.WriteAllText(keyFile, $$"""{"name":"ops","apikey":"{{CliServer.OperatorKey}}"}""");
        var cli = server.NewCli();
        Assert.Equal(0, (await cli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", "@" + keyFile)).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("target")).ExitCode);

        var fromEnvironment = server.NewCli(new Dictionary<string, string> { ["TESSERA_URL"] = server.Url.ToString(), ["TESSERA_APIKEY"] = CliServer.OperatorKey });
        var target = await fromEnvironment.RunAsync("target");
        Assert.True(target.ExitCode == 0, target.ToString());
        Assert.Contains(server.OperatorAccountId, target.Stdout);
        Assert.False(File.Exists(Path.Combine(fromEnvironment.ConfigDirectory, "session.json")));
    }

    [Fact]
    public async Task Login_WithAWrongKey_FailsOnOneLineWithTheServersMessageAndTransactionId()
    {
        var cli = server.NewCli();
        var login = await cli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", "not-a-key");
        Assert.Equal(1, login.ExitCode);
        var line = Assert.Single(login.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^FAILED: Provided API key could not be found\. \(BXNIM0415E, 400, transaction [0-9a-f]{32}\)$", line);
        Assert.False(File.Exists(Path.Combine(cli.ConfigDirectory, "session.json")));
    }

    [Fact]
    public async Task Login_ToNoServer_SaysItCannotReachIt()
    {
        var login = await server.NewCli().RunAsync("login", "-a", "http://127.0.0.1:1", "--apikey", "k");
        Assert.Equal(1, login.ExitCode);
        Assert.Contains("Cannot reach http://127.0.0.1:1/", login.Stderr);
    }
}

/// <summary>A token that expires is exchanged again from the saved key, and the new one is saved.</summary>
public sealed class TokenRefreshTests(ShortTokenServer server) : IClassFixture<ShortTokenServer>
{
    [Fact]
    public async Task AnExpiredToken_IsExchangedAgain_AndTheSessionKeepsTheNewOne()
    {
        var cli = server.NewCli();
        Assert.Equal(0, (await cli.RunAsync("login", "-a", server.Url.ToString(), "--apikey", CliServer.OperatorKey)).ExitCode);
        var file = Path.Combine(cli.ConfigDirectory, "session.json");
        var first = Token(file);

        await Task.Delay(TimeSpan.FromSeconds(3));
        var list = await cli.RunAsync("iam", "authorization-policies");
        Assert.True(list.ExitCode == 0, list.ToString());
        var second = Token(file);
        Assert.NotEqual(first.Token, second.Token);
        Assert.True(second.ExpiresAt > first.ExpiresAt);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    private static (string Token, long ExpiresAt) Token(string file)
    {
        using var session = JsonDocument.Parse(File.ReadAllText(file));
        return (session.RootElement.GetProperty("access_token").GetString()!, session.RootElement.GetProperty("expires_at").GetInt64());
    }
}
