using System.CommandLine;
using Tessera.Client;
using static Tessera.Cli.Commands.CommandKit;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera account-create</c> (the operator) and <c>tessera account users | user-invite | user-remove</c> (an account's owner).</summary>
internal static class AccountCommands
{
    public static Command Create()
    {
        var name = Required("NAME", "The account's name");
        var owner = new Option<string>("--owner") { Description = "The owner's email; the owner gets the account's first API key", HelpName = "EMAIL", Required = true };
        return new Command("account-create", "Create an account and its owner (the operator only); the owner's API key is shown once").With(name, owner)
            .Runs(async (run, cancellationToken) =>
            {
                run.Out.Status($"Creating account {run.Value(name)} as {run.IamId}...");
                var created = await run.Client.CreateAccountAsync(run.Value(name)!, run.Value(owner)!, cancellationToken);
                if (run.Out.Json)
                {
                    run.Out.WriteJson(created, ClientJsonContext.Default.CreatedAccount);
                    return 0;
                }
                run.Out.Ok();
                run.Out.Status("Please preserve the owner's API key! It cannot be retrieved after it's created.");
                run.Out.Fields([("Account ID", created.AccountId), ("Name", created.Name), ("Owner", created.OwnerIamId),
                    ("Default resource group", created.DefaultResourceGroupId), ("Owner's API key", created.Apikey.Apikey)]);
                return 0;
            });
    }

    public static Command Account() =>
        new Command("account", "The account's users").With(Users(), Invite(), Remove());

    private static Command Users() =>
        new Command("users", "List the account's users").Runs(async (run, cancellationToken) =>
        {
            var users = await run.Client.ListUsersAsync(run.AccountId, cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(users, ClientJsonContext.Default.User);
            else
                run.Out.Table(["Email", "IAM ID", "State", "Added At"], users.Select(u => (IReadOnlyList<string?>)[u.Email, u.IamId, u.State, u.CreatedAt]));
            return 0;
        });

    private static Command Invite()
    {
        var email = Required("USER_EMAIL", "The user's email");
        return new Command("user-invite", "Add a user to the account").With(email).Runs(async (run, cancellationToken) =>
        {
            run.Out.Status($"Adding user {run.Value(email)} to account {run.AccountId} as {run.IamId}...");
            var user = await run.Client.AddUserAsync(run.AccountId, run.Value(email)!, cancellationToken);
            if (run.Out.Json)
                run.Out.WriteJson(user, ClientJsonContext.Default.User);
            else
                run.Out.Fields([("Email", user.Email), ("IAM ID", user.IamId), ("State", user.State)]);
            return 0;
        });
    }

    private static Command Remove()
    {
        var user = Required("USER", "The user, by email or IAM ID");
        var force = Flag("--force", "Remove without asking", "-f");
        return new Command("user-remove", "Remove a user with their API keys, memberships and policies").With(user, force).Runs(async (run, cancellationToken) =>
        {
            var found = await Identities.UserAsync(run.Client, run.AccountId, run.Value(user)!, cancellationToken);
            if (!run.Value(force) && !Confirm(run.Out, $"Remove {found.Email} ({found.IamId}) with their API keys, memberships and policies?"))
                return 0;
            run.Out.Status($"Removing user {found.Email} as {run.IamId}...");
            await run.Client.RemoveUserAsync(run.AccountId, found.IamId, cancellationToken);
            run.Out.Ok();
            return 0;
        });
    }
}
