using System.CommandLine;
using System.CommandLine.Help;
using Tessera.Cli.Apply;
using Tessera.Cli.Commands;
using Tessera.Client;

namespace Tessera.Cli;

/// <summary>
/// The <c>tessera</c> command tree and how a run ends: 0 when it did what was asked, 1 when the server or the command
/// refused (one line on stderr, with the server's message and transaction id) or a decision denied, 2 for a usage error
/// (what is wrong, then the command's help, on stderr).
/// </summary>
internal static class CliApp
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("tessera: service-to-service authorizations, from the command line (mirrors ibmcloud iam and ibmcloud resource)");
        root.Add(CommandKit.OutputFormat);
        root.Add(CommandKit.Quiet);
        foreach (var command in SessionCommands.All())
            root.Add(command);
        root.Add(new Command("iam", "Authorizations, access policies, service IDs, API keys and access groups")
            .With([.. AuthorizationCommands.All(), .. IdentityCommands.All(), .. AccessPolicyCommands.All(), .. AccessGroupCommands.All()]));
        root.Add(ResourceCommands.Resource());
        root.Add(AccountCommands.Create());
        root.Add(AccountCommands.Account());
        foreach (var command in DecisionCommands.All())
            root.Add(command);
        root.Add(EventCommands.Events());
        root.Add(ApplyCommand.Apply());
        root.Add(CompletionCommand.Completion());
        return root;
    }

    // The help of the command that was misused, as `tessera <its path> --help` prints it.
    private static void WriteHelp(RootCommand root, System.CommandLine.Parsing.CommandResult misused, TextWriter error)
    {
        var path = new List<string>();
        for (var result = misused; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            path.Insert(0, result.Command.Name);
        root.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = error });
    }

    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build();
        // No response files: `--apikey @FILE` is ibmcloud's way to read a key from a file, and the command reads it itself.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var problem in parse.Errors)
                error.WriteLine($"Incorrect usage: {problem.Message}");
            error.WriteLine();
            WriteHelp(root, parse.CommandResult, error);
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (TesseraApiException e)
        {
            error.WriteLine($"FAILED: {e.Message}");
            return Failed;
        }
        catch (CliException e)
        {
            error.WriteLine($"FAILED: {e.Message}");
            return Failed;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"FAILED: cannot reach the server: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
    }
}
