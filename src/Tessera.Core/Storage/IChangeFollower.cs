namespace Tessera.Storage;

/// <summary>
/// A store shared by several nodes follows what the other nodes write (PostgreSQL's change-log follower); a store
/// that only this process writes has none. The host loads its in-memory views at a revision, then tells the follower
/// to continue from there.
/// </summary>
public interface IChangeFollower
{
    void StartFrom(long revision);

    /// <summary>How many revisions the database was ahead of this node when the follower last looked (0 when caught up).</summary>
    long Behind { get; }
}
