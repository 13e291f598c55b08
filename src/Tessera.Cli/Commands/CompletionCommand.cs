using System.CommandLine;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera completion bash|zsh</c>: a script for the shell that asks <c>tessera</c> itself what may come next, through
/// System.CommandLine's <c>[suggest]</c> directive, so completion always matches the commands and flags of this build.
/// Install with <c>source &lt;(tessera completion bash)</c>, or save it where the shell loads completions.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # tessera completion for bash: source <(tessera completion bash)
        _tessera_complete() {
          local IFS=$'\n'
          COMPREPLY=($(compgen -W "$(tessera "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _tessera_complete tessera
        """;

    private const string Zsh = """
        # tessera completion for zsh: source <(tessera completion zsh)
        _tessera_complete() {
          local -a candidates
          candidates=("${(@f)$(tessera "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
          compadd -- $candidates
        }
        compdef _tessera_complete tessera
        """;

    public static Command Completion()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" }.AcceptOnlyFromAmong("bash", "zsh");
        return new Command("completion", "Print a shell completion script (bash or zsh)").With(shell).RunsOffline((parse, output, _) =>
        {
            output.Line(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return Task.FromResult(0);
        });
    }
}
