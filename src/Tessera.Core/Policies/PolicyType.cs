namespace Tessera.Policies;

public enum PolicyType
{
    Access,
    Authorization,
}
