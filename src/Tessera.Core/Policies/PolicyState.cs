namespace Tessera.Policies;

public enum PolicyState
{
    Active,
    Deleted,
}
