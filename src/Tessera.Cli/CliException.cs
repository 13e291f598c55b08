namespace Tessera.Cli;

/// <summary>A failure the command itself found (not logged in, no instance of that name, a role the pair does not offer): exit 1, one line.</summary>
internal sealed class CliException(string message) : Exception(message);
