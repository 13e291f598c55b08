namespace Tessera.Storage;

/// <summary>Passes each committed change to several sinks, in the order given.</summary>
public sealed class ChangeFanout(params IChangeSink[] sinks) : IChangeSink
{
    public void Apply(ChangeSet changes)
    {
        foreach (var sink in sinks)
            sink.Apply(changes);
    }
}
