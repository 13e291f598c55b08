using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tessera.Cli.Output;

/// <summary>
/// Where a command writes: aligned tables and short status lines for a person, or (<c>--output json</c>) exactly the
/// API's objects and nothing else on stdout (errors go to stderr, one line, from <see cref="CliApp"/>). With <c>-q</c> the status lines are dropped.
/// </summary>
internal sealed class CommandOutput : IDisposable
{
    // An API object printed for a person or a pipe (jq), not embedded in HTML: '<' and '+' stay as they are.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly TrimmingWriter _writer;

    public CommandOutput(TextWriter output, bool json, bool quiet)
    {
        Json = json;
        Quiet = quiet || json;
        var redirected = ReferenceEquals(output, System.Console.Out) && System.Console.IsOutputRedirected;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_writer = new TrimmingWriter(output)),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        // A pipe has no width: let a table be as wide as its rows rather than wrap them at 80 columns.
        if (redirected || !ReferenceEquals(output, System.Console.Out))
            Console.Profile.Width = 1000;
    }

    public IAnsiConsole Console { get; }

    /// <summary><c>--output json</c>: stdout carries the API's objects only.</summary>
    public bool Json { get; }

    public bool Quiet { get; }

    public bool Interactive => Console.Profile.Capabilities.Interactive;

    /// <summary>A status line for a person ("Creating authorization policy under account …"); not with <c>-q</c> or <c>--output json</c>.</summary>
    public void Status(string line)
    {
        if (!Quiet)
            Console.WriteLine(line);
    }

    /// <summary>IBM's closing "OK" after a change.</summary>
    public void Ok() => Status("OK");

    /// <summary>A line that is the command's answer (a created key's secret, a decision), printed even with <c>-q</c>.</summary>
    public void Line(string line) => Console.WriteLine(line);

    /// <summary>Writes out a line not yet ended (a question waiting for its answer).</summary>
    public void Flush() => _writer.Flush();

    /// <summary>Writes out the last line of a run; stdout itself stays open.</summary>
    public void Dispose() => _writer.Dispose();

    public void WriteJson<T>(T value, JsonTypeInfo<T> type) =>
        Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Indent(type)));

    /// <summary>A list of the API's objects as one JSON array (every page of a list, as one).</summary>
    public void WriteJson<T>(IEnumerable<T> values, JsonTypeInfo<T> type)
    {
        var itemType = Indent(type);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Encoder }))
        {
            writer.WriteStartArray();
            foreach (var value in values)
                JsonSerializer.Serialize(writer, value, itemType);
            writer.WriteEndArray();
        }
        Console.Profile.Out.Writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // The same generated contract, written indented.
    private static JsonTypeInfo<T> Indent<T>(JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var options = new JsonSerializerOptions(type.Options) { WriteIndented = true, Encoder = Encoder };
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Rows under headers, aligned, without borders (as <c>ibmcloud</c> prints them).</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))) { Padding = new Padding(0, 0, 3, 0), NoWrap = true });
        foreach (var row in rows)
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell ?? "")).ToArray());
        Console.Write(table);
    }

    /// <summary>One object as aligned "Name:   value" lines; fields without a value are left out.</summary>
    public void Fields(IEnumerable<(string Name, string? Value)> fields)
    {
        var grid = new Grid().AddColumn(new GridColumn { NoWrap = true, Padding = new Padding(0, 0, 3, 0) }).AddColumn();
        foreach (var (name, value) in fields.Where(f => f.Value is not null))
            grid.AddRow(new Text(name + ":"), new Text(value!));
        Console.Write(grid);
    }
}
