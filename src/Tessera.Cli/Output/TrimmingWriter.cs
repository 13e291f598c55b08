using System.Text;

namespace Tessera.Cli.Output;

/// <summary>
/// Drops the spaces a table pads its last column with, at the end of each line, so that what a script reads (or a
/// test compares) ends where the text ends.
/// </summary>
internal sealed class TrimmingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            inner.Write(_line.ToString().TrimEnd(' '));
            inner.Write('\n');
            _line.Clear();
            return;
        }
        _line.Append(value);
    }

    public override void Flush()
    {
        inner.Write(_line.ToString());
        _line.Clear();
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Flush();
        base.Dispose(disposing);
    }
}
