using System.CommandLine;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>The options every command takes, and the small helpers that keep command definitions to their flags and their work.</summary>
internal static class CommandKit
{
    /// <summary><c>--output json</c>: print the API's objects as JSON (IBM's only other format).</summary>
    public static readonly Option<string?> OutputFormat = new Option<string?>("--output")
    {
        Description = "Output format: JSON prints exactly the API's objects",
        HelpName = "FORMAT",
        Recursive = true,
    }.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "json");

    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Suppress status messages", Recursive = true };

    public static CommandOutput OutputFor(ParseResult parse) =>
        new(Console.Out, parse.GetValue(OutputFormat) is not null, parse.GetValue(Quiet));

    /// <summary>Runs <paramref name="action"/> signed in (a saved session or the environment); failures are mapped to exit codes by <see cref="CliApp"/>.</summary>
    public static Command Runs(this Command command, Func<Invocation, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var output = OutputFor(parse);
            using var invocation = await Invocation.OpenAsync(parse, output, cancellationToken);
            return await action(invocation, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs a command that needs no server (or signs in itself, as <c>login</c> does).</summary>
    public static Command RunsOffline(this Command command, Func<ParseResult, CommandOutput, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var output = OutputFor(parse);
            return await action(parse, output, cancellationToken);
        });
        return command;
    }

    public static Option<string> Text(string name, string description, string helpName, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName };

    public static Option<bool> Flag(string name, string description, params string[] aliases) => new(name, aliases) { Description = description };

    public static Argument<string> Required(string name, string description) => new(name) { Description = description };

    public static Argument<string?> Optional(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.ZeroOrOne };

    /// <summary>A usage error (exit 2, with the help) when more than one of <paramref name="options"/> is given.</summary>
    public static Command Exclusive(this Command command, params Option[] options)
    {
        command.Validators.Add(result =>
        {
            var given = options.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
            if (given.Length > 1)
                result.AddError($"{string.Join(" and ", given)} exclude each other");
        });
        return command;
    }

    /// <summary>Adds children and returns the command, so that a tree reads as one expression.</summary>
    public static Command With(this Command command, params Symbol[] children)
    {
        foreach (var child in children)
        {
            switch (child)
            {
                case Command sub: command.Add(sub); break;
                case Option option: command.Add(option); break;
                case Argument argument: command.Add(argument); break;
                default: throw new ArgumentException($"Cannot add a {child.GetType().Name}.", nameof(children));
            }
        }
        return command;
    }

    /// <summary>Asks before a deletion unless <c>-f</c>; with no one to answer (stdin closed), it refuses rather than guess.</summary>
    public static bool Confirm(CommandOutput output, string question)
    {
        output.Console.Write(new Spectre.Console.Text(question + " [y/N] "));
        output.Flush();
        var answer = Console.In.ReadLine()
                     ?? throw new CliException("Nothing was deleted: there is no one to confirm on stdin; pass -f to delete without asking.");
        var yes = answer.Trim() is "y" or "Y" or "yes" or "Yes" or "YES";
        if (!yes)
            output.Line("Nothing was deleted.");
        return yes;
    }
}
