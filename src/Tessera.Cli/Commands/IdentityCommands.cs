using System.CommandLine;
using Tessera.Client;
using Tessera.Client.Models;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera iam service-id-* | service-ids | service-api-key-* | service-api-keys | api-key-* | api-keys</c>, as
/// <c>ibmcloud iam</c> has them. A new key's secret is printed once, and written to <c>--file</c> when given.
/// </summary>
internal static class IdentityCommands
{
    public static IEnumerable<Command> All() =>
    [
        ServiceIdCreate(), ServiceIds(), ServiceIdGet(), ServiceIdDelete(),
        ServiceApiKeyCreate(), ServiceApiKeys(), ServiceApiKeyDelete(),
        ApiKeyCreate(), ApiKeys(), ApiKeyDelete(),
    ];

    private static Command ServiceIdCreate()
    {
        var name = Required("NAME", "The service ID's name");
        var description = Text("--description", "A description", "TEXT", "-d");
        return new Command("service-id-create", "Create a service ID").With(name, description).Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Creating service ID {run.Value(name)} bound to account {run.AccountId} as {run.IamId}...");
            var created = await run.Client.CreateServiceIdAsync(run.AccountId, run.Value(name)!, run.Value(description), cancellationToken);
            run.Out.Ok();
            Show(run, created);
            return 0;
        });
    }

    private static Command ServiceIds() =>
        new Command("service-ids", "List the account's service IDs").Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Getting all services IDs bound to account {run.AccountId} as {run.IamId}...");
            var all = await run.Client.ListServiceIdsAsync(run.AccountId, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(all, ClientJsonContext.Default.ServiceId);
            else
                run.Out.Table(["ID", "Name", "Description", "Created At", "Locked"], all.Select(s => Row(s.Id, s.Name, s.Description, s.CreatedAt, s.Locked)));
            return 0;
        });

    private static Command ServiceIdGet()
    {
        var id = Required("NAME_OR_ID", "The service ID, by name or ID");
        return new Command("service-id", "Show a service ID").With(id).Runs(async (run, cancellationToken) =>
        {
            Show(run, await Identities.ServiceIdAsync(run.Client, run.AccountId, run.Value(id)!, cancellationToken));
            return 0;
        });
    }

    private static Command ServiceIdDelete()
    {
        var id = Required("NAME_OR_ID", "The service ID, by name or ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("service-id-delete", "Delete a service ID, its API keys and its policies").With(id, force).Runs(async (run, cancellationToken) =>
        {
            var serviceId = await Identities.ServiceIdAsync(run.Client, run.AccountId, run.Value(id)!, cancellationToken);
            if (!run.Value(force) && !Confirm(run.Out, $"Delete service ID {serviceId.Name} ({serviceId.Id}), its API keys and its policies?"))
                return 0;
            run.Out.Status($"Deleting service ID {serviceId.Id} as {run.IamId}...");
            await run.Client.DeleteServiceIdAsync(serviceId.Id, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }

    private static Command ServiceApiKeyCreate()
    {
        var name = Required("NAME", "The key's name");
        var serviceId = Required("SERVICE_ID", "The service ID, by name or ID");
        var description = Text("--description", "A description", "TEXT", "-d");
        var file = Text("--file", "Also save the key (as JSON) to this file, readable by its owner only", "FILE");
        return new Command("service-api-key-create", "Create an API key for a service ID (its secret is shown once)").With(name, serviceId, description, file)
            .Runs(async (run, cancellationToken) =>
            {
                var owner = await Identities.ServiceIdAsync(run.Client, run.AccountId, run.Value(serviceId)!, cancellationToken);
                run.Out.Status($"Creating API key {run.Value(name)} of service ID {owner.Name} under account {run.AccountId} as {run.IamId}...");
                var key = await run.Client.CreateApiKeyAsync(run.Value(name)!, owner.IamId, run.Value(description), run.AccountId, cancellationToken);
                ShowNewKey(run, key, run.Value(file));
                return 0;
            });
    }

    private static Command ServiceApiKeys()
    {
        var serviceId = Required("SERVICE_ID", "The service ID, by name or ID");
        return new Command("service-api-keys", "List a service ID's API keys").With(serviceId).Runs(async (run, cancellationToken) =>
        {
            var owner = await Identities.ServiceIdAsync(run.Client, run.AccountId, run.Value(serviceId)!, cancellationToken);
            ShowKeys(run, await run.Client.ListApiKeysAsync(run.AccountId, owner.IamId, cancellationToken));
            return 0;
        });
    }

    private static Command ServiceApiKeyDelete()
    {
        var name = Required("NAME_OR_ID", "The key, by name or ID");
        var serviceId = Required("SERVICE_ID", "The service ID, by name or ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("service-api-key-delete", "Delete a service ID's API key").With(name, serviceId, force).Runs(async (run, cancellationToken) =>
        {
            var owner = await Identities.ServiceIdAsync(run.Client, run.AccountId, run.Value(serviceId)!, cancellationToken);
            return await DeleteKeyAsync(run, owner.IamId, run.Value(name)!, run.Value(force), cancellationToken);
        });
    }

    private static Command ApiKeyCreate()
    {
        var name = Required("NAME", "The key's name");
        var description = Text("--description", "A description", "TEXT", "-d");
        var file = Text("--file", "Also save the key (as JSON) to this file, readable by its owner only", "FILE");
        return new Command("api-key-create", "Create an API key for yourself (its secret is shown once)").With(name, description, file)
            .Runs(async (run, cancellationToken) =>
            {
                run.Out.Status($"Creating API key {run.Value(name)} under account {run.AccountId} as {run.IamId}...");
                var key = await run.Client.CreateApiKeyAsync(run.Value(name)!, run.IamId, run.Value(description), run.AccountId, cancellationToken);
                ShowNewKey(run, key, run.Value(file));
                return 0;
            });
    }

    private static Command ApiKeys() =>
        new Command("api-keys", "List your API keys").Runs(async (run, cancellationToken) =>
        {
            ShowKeys(run, await run.Client.ListApiKeysAsync(run.AccountId, run.IamId, cancellationToken));
            return 0;
        });

    private static Command ApiKeyDelete()
    {
        var name = Required("NAME_OR_ID", "The key, by name or ID");
        var force = Flag("--force", "Delete without asking", "-f");
        return new Command("api-key-delete", "Delete one of your API keys").With(name, force)
            .Runs((run, cancellationToken) => DeleteKeyAsync(run, run.IamId, run.Value(name)!, run.Value(force), cancellationToken));
    }

    private static async Task<int> DeleteKeyAsync(Invocation run, string ownerIamId, string nameOrId, bool force, CancellationToken cancellationToken)
    {
        var keys = await run.Client.ListApiKeysAsync(run.AccountId, ownerIamId, cancellationToken);
        var key = Identities.One([.. keys.Where(k => k.Id == nameOrId || k.Name == nameOrId)], nameOrId, "API key", k => k.Id);
        if (!force && !Confirm(run.Out, $"Delete API key {key.Name} ({key.Id})? Tokens exchanged for it stop working at once."))
            return 0;
        run.Out.Status($"Deleting API key {key.Id} as {run.IamId}...");
        await run.Client.DeleteApiKeyAsync(key.Id, cancellationToken);
        run.Out.Ok();
        return 0;
    }

    // Shown before it is saved: a file that cannot be written must not lose the only copy of the secret.
    private static void ShowNewKey(Invocation run, ApiKey key, string? file)
    {
        if (run.Out.Json)
        {
            run.Out.WriteJson(key, ClientJsonContext.Default.ApiKey);
        }
        else
        {
            run.Out.Ok();
            run.Out.Status("Please preserve the API key! It cannot be retrieved after it's created.");
            run.Out.Fields([("ID", key.Id), ("Name", key.Name), ("Description", key.Description), ("Created At", key.CreatedAt), ("API Key", key.Apikey)]);
        }
        if (file is null)
            return;
        try
        {
            SaveKey(key, file);
            run.Out.Status($"API key saved to {file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"The API key was created (shown above) but not saved to {file}: {e.Message}");
        }
    }

    // The file holds a secret: created for its owner alone, as the session file is.
    private static void SaveKey(ApiKey key, string path)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(key, ClientJsonContext.Default.ApiKey);
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, json);
            return;
        }
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(json);
    }

    private static void ShowKeys(Invocation run, IReadOnlyList<ApiKey> keys)
    {
        if (run.Out.Json)
            run.Out.WriteJson(keys, ClientJsonContext.Default.ApiKey);
        else
            run.Out.Table(["ID", "Name", "Description", "Created At", "Locked"], keys.Select(k => Row(k.Id, k.Name, k.Description, k.CreatedAt, k.Locked)));
    }

    private static void Show(Invocation run, ServiceId serviceId)
    {
        if (run.Out.Json)
            run.Out.WriteJson(serviceId, ClientJsonContext.Default.ServiceId);
        else
            run.Out.Fields([("Name", serviceId.Name), ("Description", serviceId.Description), ("CRN", serviceId.Crn), ("IAM ID", serviceId.IamId),
                ("ID", serviceId.Id), ("Locked", serviceId.Locked ? "true" : "false"), ("Created At", serviceId.CreatedAt)]);
    }

    private static IReadOnlyList<string?> Row(string id, string name, string? description, string? createdAt, bool locked) =>
        [id, name, description ?? "", createdAt, locked ? "true" : "false"];
}
