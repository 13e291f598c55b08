namespace Tessera.Model;

public sealed record ResourceGroup(string Id, string AccountId, string Name, bool IsDefault, DateTimeOffset CreatedAt)
{
    public string Crn => Model.Crn.ForResourceGroup(AccountId, Id).ToString();
}
