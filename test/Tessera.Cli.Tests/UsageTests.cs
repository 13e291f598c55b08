namespace Tessera.Cli.Tests;

/// <summary>Usage errors (exit 2, with the command's help), help itself, and shell completion — none of which needs a server.</summary>
public sealed class UsageTests
{
    private readonly Cli _cli = new(Directory.CreateTempSubdirectory("tessera-cli-usage-").FullName);

    [Fact]
    public async Task AnUnknownCommand_IsAUsageError_WithTheHelpOnStderr()
    {
        var result = await _cli.RunAsync("iam", "authorisation-policies");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Incorrect usage: Unrecognized command or argument 'authorisation-policies'.", result.Stderr);
        Assert.Contains("authorization-policy-create", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Help_ListsTheCommands_AndExitsZero()
    {
        var result = await _cli.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in (string[])["login", "iam", "resource", "check", "who-can", "what-can", "events", "apply", "completion", "account-create"])
            Assert.Contains(command, result.Stdout);
    }

    [Fact]
    public async Task Completion_PrintsAScriptThatAsksTessera_AndTheSuggestDirectiveAnswers()
    {
        var bash = await _cli.RunAsync("completion", "bash");
        Assert.Equal(0, bash.ExitCode);
        Assert.Contains("complete -o default -F _tessera_complete tessera", bash.Stdout);
        Assert.Contains("compdef _tessera_complete tessera", (await _cli.RunAsync("completion", "zsh")).Stdout);

        var line = "tessera iam authorization-policy-c";
        var suggested = await _cli.RunAsync($"[suggest:{line.Length}]", line);
        Assert.Equal(0, suggested.ExitCode);
        Assert.Equal("authorization-policy-create", suggested.Stdout.Trim());
    }
}
