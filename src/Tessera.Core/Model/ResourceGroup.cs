namespace Tessera.Model;

/// <summary>A resource group. Deleted groups are kept, marked, so that their events and old policies still resolve.</summary>
public sealed record ResourceGroup(string Id, string AccountId, string Name, bool IsDefault, DateTimeOffset CreatedAt)
{
    public bool Deleted { get; init; }
    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public string Crn => Model.Crn.ForResourceGroup(AccountId, Id).ToString();
}
