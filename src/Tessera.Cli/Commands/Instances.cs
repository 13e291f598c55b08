using Tessera.Client;
using Tessera.Client.Models;

namespace Tessera.Cli.Commands;

/// <summary>Finding a service instance by what a person types: its name, its GUID or its CRN.</summary>
internal static class Instances
{
    public static async Task<ResourceInstance> FindAsync(TesseraClient client, string accountId, string nameOrId, string? service,
        CancellationToken cancellationToken)
    {
        if (Guid.TryParse(nameOrId, out _) || nameOrId.StartsWith("crn:", StringComparison.Ordinal))
        {
            try
            {
                return await client.GetResourceInstanceAsync(nameOrId, cancellationToken);
            }
            catch (TesseraApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound && Guid.TryParse(nameOrId, out _))
            {
                // A GUID-shaped name is still a name.
            }
        }
        var named = await client.ListResourceInstancesAsync(new ResourceInstanceFilter { AccountId = accountId, Name = nameOrId, ResourceId = service },
            cancellationToken).ToListAsync(cancellationToken);
        return Identities.One(named, nameOrId, "service instance", i => i.Guid);
    }

    /// <summary>The GUID an attribute needs, from a GUID or a whole instance CRN.</summary>
    public static string GuidOf(string idOrCrn)
    {
        if (!idOrCrn.StartsWith("crn:", StringComparison.Ordinal))
            return idOrCrn;
        var parts = idOrCrn.Split(':');
        return parts.Length >= 8 && parts[7].Length > 0 ? parts[7] : throw new CliException($"'{idOrCrn}' is not the CRN of a service instance.");
    }
}
