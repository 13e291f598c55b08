using Tessera.Audit;
using Tessera.Model;
using Tessera.Policies;
using Tessera.Security;

namespace Tessera.Storage.Tests;

/// <summary>
/// The behaviour every store must have. Each backend derives from it once and supplies a fresh, real store;
/// no test here knows which database it talks to.
/// </summary>
public abstract class StoreTestSuite : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    protected ITesseraStore Store { get; private set; } = null!;

    /// <summary>What the store told its change sink, in order.</summary>
    protected RecordingSink Changes { get; } = new();

    /// <summary>A fresh, empty store that reports to <paramref name="changes"/>.</summary>
    protected abstract Task<ITesseraStore> CreateStoreAsync(IChangeSink changes);

    /// <summary>A second store over the same data, as after a restart.</summary>
    protected abstract Task<ITesseraStore> ReopenAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync(Changes);
        await Store.MigrateAsync(CancellationToken.None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrate_IsIdempotent()
    {
        await Store.MigrateAsync(CancellationToken.None);

        Assert.Equal(0, await Store.GetRevisionAsync(CancellationToken.None));
        Assert.False(await Store.HasAccountsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateAccount_StoresOwnerGroupAndHashedKeyWithOneEvent()
    {
        var (account, secret) = await CreateAccountAsync();

        Assert.True(await Store.HasAccountsAsync(CancellationToken.None));
        Assert.Equal(account.Account, await Store.GetAccountAsync(account.Account.Id, CancellationToken.None));
        Assert.Equal(account.Owner, await Store.GetIdentityAsync(account.Owner.IamId, CancellationToken.None));
        var found = await Store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), CancellationToken.None);
        Assert.Equal(account.Owner.IamId, found?.Identity.IamId);
        Assert.NotEqual(secret, found!.Key.Hash);
        Assert.Null(await Store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret + "x"), CancellationToken.None));
        var events = await Store.ListEventsAsync(new EventQuery { AccountId = account.Account.Id, AfterSequence = 0, Limit = 10 }, CancellationToken.None);
        Assert.Equal("iam-identity.account.create", Assert.Single(events).Action);
        Assert.Equal(1, await Store.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SigningKeys_FirstWriterWins()
    {
        await Store.AddFirstSigningKeyAsync(new SigningKey("k1", [1, 2, 3], Now), CancellationToken.None);
        await Store.AddFirstSigningKeyAsync(new SigningKey("k2", [9], Now), CancellationToken.None);

        var key = Assert.Single(await Store.GetSigningKeysAsync(CancellationToken.None));
        Assert.Equal([1, 2, 3], key.PrivateKeyPkcs8);
    }

    [Fact]
    public async Task DataProtectionKeys_AreKeptAsWritten_OncePerName()
    {
        await Store.AddDataProtectionKeyAsync("key-b", "<key id=\"b\" />", CancellationToken.None);
        await Store.AddDataProtectionKeyAsync("key-a", "<key id=\"a\" />", CancellationToken.None);
        await Store.AddDataProtectionKeyAsync("key-a", "<key id=\"changed\" />", CancellationToken.None);

        Assert.Equal(["<key id=\"a\" />", "<key id=\"b\" />"], await Store.ReadDataProtectionKeysAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreatePolicy_StoresEverythingAndSurvivesAReopen()
    {
        var policy = NewPolicy("acc-a", "kms");

        var result = await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);

        Assert.Equal(WriteStatus.Ok, result.Status);
        Assert.Matches("^1-[0-9a-f]{32}$", result.Value!.ETag);
        Assert.Equal(1, result.Value.Revision);
        var reopened = await ReopenAsync();
        var stored = await reopened.GetPolicyAsync(policy.Id, CancellationToken.None);
        Assert.Equal(result.Value, stored);
        Assert.Equal(policy.Subject, stored!.Subject);
    }

    [Fact]
    public async Task CreatePolicy_DuplicateIsAConflictWithoutEventOrRevision()
    {
        var first = NewPolicy("acc-a", "kms");
        var created = await Store.CreatePolicyAsync(first, Event(first, "create"), CancellationToken.None);
        var duplicate = first with { Id = Ids.NewUuid(), Roles = [.. first.Roles.Reverse()], Subject = [.. first.Subject.Reverse()] };

        var result = await Store.CreatePolicyAsync(duplicate, Event(duplicate, "create"), CancellationToken.None);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(created.Value, result.Value);
        Assert.Null(await Store.GetPolicyAsync(duplicate.Id, CancellationToken.None));
        Assert.Equal(1, await Store.GetRevisionAsync(CancellationToken.None));
        Assert.Single(await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = 0, Limit = 10 }, CancellationToken.None));
    }

    [Fact]
    public async Task CreatePolicy_ConcurrentIdenticalCreatesYieldExactlyOne()
    {
        var template = NewPolicy("acc-a", "kms");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var policy = template with { Id = Ids.NewUuid() };
            return await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);
        }));

        Assert.Single(results, r => r.Status == WriteStatus.Ok);
        Assert.Equal(15, results.Count(r => r.Status == WriteStatus.Conflict));
        Assert.Single(await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = 0, Limit = 100 }, CancellationToken.None));
    }

    [Fact]
    public async Task ReplacePolicy_ChecksTheETag()
    {
        var policy = NewPolicy("acc-a", "kms");
        var created = (await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None)).Value!;
        var changed = created with { Description = "changed", LastModifiedById = "IBMid-2", LastModifiedAt = Now.AddMinutes(1) };

        var stale = await Store.ReplacePolicyAsync(changed, "1-00000000000000000000000000000000", Event(changed, "update"), CancellationToken.None);
        var replaced = await Store.ReplacePolicyAsync(changed, created.ETag, Event(changed, "update"), CancellationToken.None);
        var again = await Store.ReplacePolicyAsync(changed, created.ETag, Event(changed, "update"), CancellationToken.None);

        Assert.Equal(WriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(WriteStatus.Ok, replaced.Status);
        Assert.StartsWith("2-", replaced.Value!.ETag, StringComparison.Ordinal);
        Assert.Equal(("changed", "IBMid-2", created.CreatedAt), (replaced.Value.Description, replaced.Value.LastModifiedById, replaced.Value.CreatedAt));
        Assert.Equal(WriteStatus.PreconditionFailed, again.Status);
        Assert.Equal(WriteStatus.NotFound, (await Store.ReplacePolicyAsync(changed with { Id = "missing" }, "x", Event(changed, "update"), CancellationToken.None)).Status);
        Assert.Equal(2, (await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = 0, Limit = 10 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task ReplacePolicy_IntoADuplicateIsAConflict()
    {
        var kms = NewPolicy("acc-a", "kms");
        var other = NewPolicy("acc-a", "kms", role: "crn:v1:bluemix:public:iam::::role:AuthorizationDelegator");
        await Store.CreatePolicyAsync(kms, Event(kms, "create"), CancellationToken.None);
        var created = (await Store.CreatePolicyAsync(other, Event(other, "create"), CancellationToken.None)).Value!;

        var result = await Store.ReplacePolicyAsync(created with { Roles = kms.Roles }, created.ETag, Event(created, "update"), CancellationToken.None);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal(kms.Id, result.Value!.Id);
    }

    [Fact]
    public async Task SetPolicyState_SoftDeletesAndRestores()
    {
        var policy = NewPolicy("acc-a", "kms");
        await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);

        var deleted = await Store.SetPolicyStateAsync(policy.Id, PolicyState.Deleted, null, "IBMid-2", Now, Event(policy, "delete"), CancellationToken.None);
        var staleRestore = await Store.SetPolicyStateAsync(policy.Id, PolicyState.Active, "1-x", "IBMid-2", Now, Event(policy, "update"), CancellationToken.None);
        var restored = await Store.SetPolicyStateAsync(policy.Id, PolicyState.Active, deleted.Value!.ETag, "IBMid-3", Now, Event(policy, "update"), CancellationToken.None);

        Assert.Equal(PolicyState.Deleted, deleted.Value.State);
        Assert.Equal(WriteStatus.PreconditionFailed, staleRestore.Status);
        Assert.Equal((WriteStatus.Ok, PolicyState.Active, "IBMid-3"), (restored.Status, restored.Value!.State, restored.Value.LastModifiedById));
        Assert.Equal(["iam-am.policy.create", "iam-am.policy.delete", "iam-am.policy.update"],
            (await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = 0, Limit = 10 }, CancellationToken.None)).Select(e => e.Action));
    }

    [Fact]
    public async Task SetPolicyState_RestoringOverANewerDuplicateIsAConflict()
    {
        var policy = NewPolicy("acc-a", "kms");
        await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);
        await Store.SetPolicyStateAsync(policy.Id, PolicyState.Deleted, null, "IBMid-1", Now, Event(policy, "delete"), CancellationToken.None);
        var again = policy with { Id = Ids.NewUuid() };
        Assert.Equal(WriteStatus.Ok, (await Store.CreatePolicyAsync(again, Event(again, "create"), CancellationToken.None)).Status);

        var restored = await Store.SetPolicyStateAsync(policy.Id, PolicyState.Active, null, "IBMid-1", Now, Event(policy, "update"), CancellationToken.None);

        Assert.Equal(WriteStatus.Conflict, restored.Status);
        Assert.Equal(again.Id, restored.Value!.Id);
    }

    [Fact]
    public async Task ListPolicies_PagesThroughEverythingOnceInOrder()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var policy = NewPolicy("acc-a", "kms", instance: $"inst-{i}") with { CreatedAt = Now.AddSeconds(i % 3) };
            await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);
            ids.Add(policy.Id);
        }
        var other = NewPolicy("acc-b", "kms");
        await Store.CreatePolicyAsync(other, Event(other, "create"), CancellationToken.None);

        foreach (var descending in new[] { false, true })
        {
            var seen = new List<Policy>();
            PageCursor? after = null;
            do
            {
                var page = await Store.ListPoliciesAsync(new PolicyQuery { AccountId = "acc-a", Limit = 3, Descending = descending, After = after }, CancellationToken.None);
                Assert.True(page.Policies.Count <= 3);
                seen.AddRange(page.Policies);
                after = page.Next;
            }
            while (after is not null);

            var expected = seen.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).Select(p => p.Id).ToList();
            if (descending)
                expected.Reverse();
            Assert.Equal(expected, seen.Select(p => p.Id));
            Assert.Equal(ids.Order(), seen.Select(p => p.Id).Order());
        }
    }

    [Fact]
    public async Task ListPolicies_FiltersByStateTypeAndTargetService()
    {
        var kms = NewPolicy("acc-a", "kms");
        var cos = NewPolicy("acc-a", "cloud-object-storage");
        await Store.CreatePolicyAsync(kms, Event(kms, "create"), CancellationToken.None);
        await Store.CreatePolicyAsync(cos, Event(cos, "create"), CancellationToken.None);
        await Store.SetPolicyStateAsync(cos.Id, PolicyState.Deleted, null, "IBMid-1", Now, Event(cos, "delete"), CancellationToken.None);

        async Task<IEnumerable<string>> Ids(PolicyQuery query) => (await Store.ListPoliciesAsync(query, CancellationToken.None)).Policies.Select(p => p.Id);

        Assert.Equal([kms.Id], await Ids(new PolicyQuery { AccountId = "acc-a" }));
        Assert.Equal([cos.Id], await Ids(new PolicyQuery { AccountId = "acc-a", State = PolicyState.Deleted }));
        Assert.Equal([kms.Id], await Ids(new PolicyQuery { AccountId = "acc-a", ServiceName = "kms", Type = PolicyType.Authorization }));
        Assert.Empty(await Ids(new PolicyQuery { AccountId = "acc-a", Type = PolicyType.Access }));
        Assert.Empty(await Ids(new PolicyQuery { AccountId = "acc-a", ServiceName = "logs" }));
    }

    [Fact]
    public async Task ListEvents_ReturnsOnlyTheAccountsEventsAfterARevision()
    {
        var a = NewPolicy("acc-a", "kms");
        var b = NewPolicy("acc-b", "kms");
        await Store.CreatePolicyAsync(a, Event(a, "create"), CancellationToken.None);
        await Store.CreatePolicyAsync(b, Event(b, "create"), CancellationToken.None);
        await Store.SetPolicyStateAsync(a.Id, PolicyState.Deleted, null, "IBMid-1", Now, Event(a, "delete"), CancellationToken.None);

        var all = await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = 0, Limit = 10 }, CancellationToken.None);
        var later = await Store.ListEventsAsync(new EventQuery { AccountId = "acc-a", AfterSequence = all[0].Sequence, Limit = 10 }, CancellationToken.None);

        Assert.Equal([1L, 3L], all.Select(e => e.Revision));
        Assert.Equal("iam-am.policy.delete", Assert.Single(later).Action);
    }

    [Fact]
    public async Task CommittedPolicyChanges_ReachTheSinkInRevisionOrderAndRefusedOnesDoNot()
    {
        var policy = NewPolicy("acc-a", "kms");
        var created = (await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None)).Value!;
        await Store.CreatePolicyAsync(policy with { Id = Ids.NewUuid() }, Event(policy, "create"), CancellationToken.None);
        await Store.ReplacePolicyAsync(created, "stale", Event(policy, "update"), CancellationToken.None);
        await Store.SetPolicyStateAsync(policy.Id, PolicyState.Deleted, null, "IBMid-1", Now, Event(policy, "delete"), CancellationToken.None);

        Assert.Equal([(1L, PolicyState.Active), (2L, PolicyState.Deleted)], Changes.Calls.Select(c => (c.Revision, Assert.Single(c.Policies).State)));
        Assert.All(Changes.Calls, c => Assert.Equal(policy.Id, c.Policies[0].Id));
    }

    [Fact]
    public async Task ReadActivePolicies_StreamsOnlyActiveOnes()
    {
        var kept = NewPolicy("acc-a", "kms");
        var gone = NewPolicy("acc-a", "cloud-object-storage");
        await Store.CreatePolicyAsync(kept, Event(kept, "create"), CancellationToken.None);
        await Store.CreatePolicyAsync(gone, Event(gone, "create"), CancellationToken.None);
        await Store.SetPolicyStateAsync(gone.Id, PolicyState.Deleted, null, "IBMid-1", Now, Event(gone, "delete"), CancellationToken.None);

        var active = new List<Policy>();
        await foreach (var policy in Store.ReadActivePoliciesAsync(CancellationToken.None))
            active.Add(policy);

        Assert.Equal([kept.Id], active.Select(p => p.Id));
    }

    [Fact]
    public async Task RemoveInstance_DeletesItsBoundPoliciesInTheSameTransaction_WithAnEventEach()
    {
        var (account, _) = await CreateAccountAsync();
        var accountId = account.Account.Id;
        var kms = await CreateInstanceAsync(account, "kms");
        var source = await CreateInstanceAsync(account, "cloud-object-storage");
        var onTarget = NewPolicy(accountId, "kms", kms.Guid);
        var fromSource = NewPolicy(accountId, "kms") with
        {
            Subject = [new("accountId", accountId, AttributeOperator.StringEquals, false), new("serviceName", "cloud-object-storage", AttributeOperator.StringEquals, false),
                       new("serviceInstance", source.Crn, AttributeOperator.StringEquals, false)],
        };
        var delegated = NewPolicy(accountId, "logs") with { CreatedById = source.Crn };
        var unrelated = NewPolicy(accountId, "messagehub");
        foreach (var policy in new[] { onTarget, fromSource, delegated, unrelated })
            await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);
        Changes.Calls.Clear();

        await Store.RemoveInstanceAsync(kms.Guid, "IBMid-1", Now, InstanceEvent(kms, "delete"), Cascade, CancellationToken.None);
        var result = await Store.RemoveInstanceAsync(source.Guid, "IBMid-1", Now, InstanceEvent(source, "delete"), Cascade, CancellationToken.None);

        Assert.Equal(WriteStatus.Ok, result.Status);
        Assert.Equal([PolicyState.Deleted, PolicyState.Deleted, PolicyState.Deleted, PolicyState.Active],
            await Task.WhenAll(new[] { onTarget, fromSource, delegated, unrelated }.Select(async p => (await Store.GetPolicyAsync(p.Id, CancellationToken.None))!.State)));
        // One commit per removal: its instance and all its policies arrive together, under one revision with all their events.
        Assert.Equal(new[] { new[] { onTarget.Id }, new[] { delegated.Id, fromSource.Id }.Order().ToArray() }, Changes.Calls.Select(c => c.Policies.Select(p => p.Id).Order().ToArray()));
        Assert.All(Changes.Calls, c => Assert.True(Assert.Single(c.Instances).Removed));
        var events = await Store.ListEventsAsync(new EventQuery { AccountId = accountId, AfterSequence = 0, Limit = 100 }, CancellationToken.None);
        Assert.Equal(3, events.Count(e => e.Revision == Changes.Calls[1].Revision));
        Assert.Equal(WriteStatus.NotFound, (await Store.RemoveInstanceAsync(kms.Guid, "IBMid-1", Now, InstanceEvent(kms, "delete"), Cascade,
            CancellationToken.None)).Status);
        Assert.True((await Store.GetInstanceAsync(kms.Guid, CancellationToken.None))!.Removed);
    }

    [Fact]
    public async Task DeleteResourceGroup_IsRefusedWhileItHoldsAnActiveInstance()
    {
        var (account, _) = await CreateAccountAsync();
        var group = new ResourceGroup(Ids.NewHex32(), account.Account.Id, "team", false, Now);
        await Store.CreateResourceGroupAsync(group, GroupEvent(group), CancellationToken.None);
        var instance = await CreateInstanceAsync(account, "kms", group.Id);

        Assert.Equal(WriteStatus.NotEmpty, (await Store.DeleteResourceGroupAsync(group.Id, "IBMid-test", Now, GroupEvent(group), Cascade, CancellationToken.None)).Status);
        Assert.Equal(WriteStatus.NotEmpty, (await Store.DeleteResourceGroupAsync(account.DefaultGroup.Id, "IBMid-test", Now, GroupEvent(group), Cascade, CancellationToken.None)).Status);
        await Store.RemoveInstanceAsync(instance.Guid, "IBMid-1", Now, InstanceEvent(instance, "delete"), Cascade, CancellationToken.None);
        Assert.Equal(WriteStatus.Ok, (await Store.DeleteResourceGroupAsync(group.Id, "IBMid-test", Now, GroupEvent(group), Cascade, CancellationToken.None)).Status);
        Assert.DoesNotContain(await Store.ListResourceGroupsAsync(account.Account.Id, CancellationToken.None), g => g.Id == group.Id);
    }

    [Fact]
    public async Task DeletedIdentitiesAndKeys_AreInTheChangeLog_ForEveryNodeToEndTheirTokens()
    {
        var (account, _) = await CreateAccountAsync();
        var serviceId = new Identity("iam-ServiceId-" + Ids.NewUuid(), account.Account.Id, IdentityKind.ServiceId, "bot", Now);
        await Store.CreateIdentityAsync(serviceId, AccountEvent(account), CancellationToken.None);
        var keys = new[] { "ApiKey-" + Ids.NewUuid(), "ApiKey-" + Ids.NewUuid() };
        foreach (var id in keys)
        {
            await Store.CreateApiKeyAsync(new ApiKey(id, serviceId.IamId, account.Account.Id, "k", ApiKeySecrets.Hash(id), Now), AccountEvent(account),
                CancellationToken.None);
        }
        var before = await Store.GetRevisionAsync(CancellationToken.None);

        await Store.DeleteApiKeyAsync(keys[0], AccountEvent(account), CancellationToken.None);
        await Store.DeleteIdentityAsync(serviceId.IamId, "IBMid-1", Now, AccountEvent(account), Cascade, CancellationToken.None);

        var logged = (await ((Tessera.Storage.Relational.RelationalStore)Store).ReadChangesAsync(before, CancellationToken.None)).Credentials.Select(c => (c.Kind, c.Id)).ToList();
        Assert.Equal([(CredentialKind.ApiKeyDeleted, keys[0]), (CredentialKind.IdentityDeleted, serviceId.IamId), (CredentialKind.ApiKeyDeleted, keys[1])], logged);
        Assert.Superset(logged.ToHashSet(),
            (await Store.ReadCredentialChangesSinceAsync(Now.AddMinutes(-1), CancellationToken.None)).Select(c => (c.Kind, c.Id)).ToHashSet());
    }

    [Fact]
    public async Task WritesThatNameADeletedIdentity_AreRefusedInTheirTransaction()
    {
        var (account, _) = await CreateAccountAsync();
        var serviceId = new Identity("iam-ServiceId-" + Ids.NewUuid(), account.Account.Id, IdentityKind.ServiceId, "bot", Now);
        await Store.CreateIdentityAsync(serviceId, AccountEvent(account), CancellationToken.None);
        var group = new AccessGroup { Id = AccessGroup.NewId(), AccountId = account.Account.Id, Name = "g", CreatedAt = Now, CreatedById = "x", ModifiedAt = Now, ModifiedById = "x" };
        await Store.CreateAccessGroupAsync(group, AccountEvent(account), CancellationToken.None);
        var granted = NewPolicy(account.Account.Id, "kms") with
        {
            Type = PolicyType.Access,
            Subject = [new("iam_id", serviceId.IamId, AttributeOperator.StringEquals, false)],
        };
        await Store.CreatePolicyAsync(granted, Event(granted, "create"), CancellationToken.None);
        await Store.DeleteIdentityAsync(serviceId.IamId, "IBMid-1", Now, AccountEvent(account), Cascade, CancellationToken.None);
        var revision = await Store.GetRevisionAsync(CancellationToken.None);

        var another = granted with { Id = Ids.NewUuid(), Roles = ["crn:v1:bluemix:public:iam::::role:Viewer"] };
        var created = await Store.CreatePolicyAsync(another, Event(another, "create"), CancellationToken.None);
        var restored = await Store.SetPolicyStateAsync(granted.Id, PolicyState.Active, null, "IBMid-1", Now, Event(granted, "update"), CancellationToken.None);
        var members = await Store.AddMembersAsync([new GroupMembership(group.Id, serviceId.IamId, account.Account.Id, Now, "x")], _ => AccountEvent(account),
            CancellationToken.None);

        Assert.Equal(WriteStatus.InvalidReference, created.Status);
        Assert.Contains(serviceId.IamId, created.Problem, StringComparison.Ordinal);
        Assert.Equal(WriteStatus.InvalidReference, restored.Status);
        Assert.Empty(members);
        Assert.Empty(await Store.ListMembersAsync(group.Id, CancellationToken.None));
        Assert.Equal(PolicyState.Deleted, (await Store.GetPolicyAsync(granted.Id, CancellationToken.None))!.State);
        Assert.Equal(revision, await Store.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DeleteIdentity_DeletesItsKeysMembershipsAndPolicies()
    {
        var (account, _) = await CreateAccountAsync();
        var serviceId = new Identity("iam-ServiceId-" + Ids.NewUuid(), account.Account.Id, IdentityKind.ServiceId, "bot", Now);
        await Store.CreateIdentityAsync(serviceId, AccountEvent(account), CancellationToken.None);
        var secret = ApiKeySecrets.NewSecret();
        await Store.CreateApiKeyAsync(new ApiKey("ApiKey-" + Ids.NewUuid(), serviceId.IamId, account.Account.Id, "k", ApiKeySecrets.Hash(secret), Now),
            AccountEvent(account), CancellationToken.None);
        var group = new AccessGroup { Id = AccessGroup.NewId(), AccountId = account.Account.Id, Name = "g", CreatedAt = Now, CreatedById = "x", ModifiedAt = Now, ModifiedById = "x" };
        await Store.CreateAccessGroupAsync(group, AccountEvent(account), CancellationToken.None);
        var added = await Store.AddMembersAsync([new GroupMembership(group.Id, serviceId.IamId, account.Account.Id, Now, "x")], _ => AccountEvent(account),
            CancellationToken.None);
        var again = await Store.AddMembersAsync([new GroupMembership(group.Id, serviceId.IamId, account.Account.Id, Now, "x")], _ => AccountEvent(account),
            CancellationToken.None);
        var granted = NewPolicy(account.Account.Id, "kms") with
        {
            Type = PolicyType.Access,
            Subject = [new("iam_id", serviceId.IamId, AttributeOperator.StringEquals, false)],
        };
        await Store.CreatePolicyAsync(granted, Event(granted, "create"), CancellationToken.None);
        Assert.NotNull(await Store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), CancellationToken.None));
        Assert.Single(added);
        Assert.Single(again); // already a member: held, not added twice

        await Store.DeleteIdentityAsync(serviceId.IamId, "IBMid-1", Now, AccountEvent(account), Cascade, CancellationToken.None);

        Assert.Null(await Store.FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), CancellationToken.None));
        Assert.Empty(await Store.ListMembersAsync(group.Id, CancellationToken.None));
        var revision = Changes.Calls[^1].Revision;
        var events = await Store.ListEventsAsync(new EventQuery { AccountId = account.Account.Id, Limit = 100 }, CancellationToken.None);
        Assert.Equal(["iam-am.policy.delete", "iam-groups.member.remove", "iam-identity.apikey.delete", "iam-identity.serviceid.create"],
            events.Where(e => e.Revision == revision).Select(e => e.Action).Order());
        Assert.True(Assert.Single(Changes.Calls[^1].Memberships).Removed);
        Assert.Equal(PolicyState.Deleted, (await Store.GetPolicyAsync(granted.Id, CancellationToken.None))!.State);
        Assert.True((await Store.GetIdentityAsync(serviceId.IamId, CancellationToken.None))!.Deleted);
    }

    [Fact]
    public async Task AppendEvent_RecordsWithoutMovingTheRevision_AndSequencesIncrease()
    {
        var (account, _) = await CreateAccountAsync();
        var revision = await Store.GetRevisionAsync(CancellationToken.None);

        await Store.AppendEventAsync(AccountEvent(account), CancellationToken.None);
        await Store.AppendEventAsync(AccountEvent(account), CancellationToken.None);

        Assert.Equal(revision, await Store.GetRevisionAsync(CancellationToken.None));
        var events = await Store.ListEventsAsync(new EventQuery { AccountId = account.Account.Id, Limit = 10 }, CancellationToken.None);
        Assert.Equal(3, events.Count);
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
    }

    private async Task<ServiceInstance> CreateInstanceAsync(NewAccount account, string service, string? groupId = null)
    {
        var instance = new ServiceInstance
        {
            Guid = Ids.NewUuid(), AccountId = account.Account.Id, ServiceName = service, Region = "us-south", Name = service,
            ResourceGroupId = groupId ?? account.DefaultGroup.Id, PlanId = "plan", CreatedAt = Now, CreatedBy = "IBMid-1",
        };
        var result = await Store.CreateInstanceAsync(instance, InstanceEvent(instance, "create"), CancellationToken.None);
        Assert.Equal(WriteStatus.Ok, result.Status);
        return result.Value!;
    }

    protected static AuditEvent InstanceEvent(ServiceInstance instance, string verb) => new()
    {
        Id = Ids.NewUuid(), AccountId = instance.AccountId, Action = $"resource-controller.instance.{verb}", EventTime = Now,
        Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
        Target = new AuditTarget(instance.Crn, instance.Name, "resource-controller/instance"), ReasonCode = 204, Message = verb,
    };

    private static AuditEvent GroupEvent(ResourceGroup group) => new()
    {
        Id = Ids.NewUuid(), AccountId = group.AccountId, Action = "resource-controller.group.create", EventTime = Now,
        Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
        Target = new AuditTarget(group.Crn, group.Name, "resource-controller/resource-group"), ReasonCode = 201, Message = "group",
    };

    private static AuditEvent AccountEvent(NewAccount account) => new()
    {
        Id = Ids.NewUuid(), AccountId = account.Account.Id, Action = "iam-identity.serviceid.create", EventTime = Now,
        Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
        Target = new AuditTarget("crn:v1:bluemix:public:iam-identity::a/x::serviceid:y", "y", "iam-identity/serviceid"), ReasonCode = 201, Message = "x",
    };

    /// <summary>Events for what removals take with them, each naming what it is about.</summary>
    protected static readonly ICascadeEvents Cascade = new TestCascadeEvents();

    private sealed class TestCascadeEvents : ICascadeEvents
    {
        public AuditEvent PolicyDeleted(Policy policy) => StoreTestSuite.Event(policy, "delete");

        public AuditEvent ApiKeyDeleted(ApiKey key) => Other(key.AccountId, "iam-identity.apikey.delete", key.Id);

        public AuditEvent MembershipEnded(GroupMembership membership) => Other(membership.AccountId, "iam-groups.member.remove", membership.IamId);

        private static AuditEvent Other(string accountId, string action, string target) => new()
        {
            Id = Ids.NewUuid(), AccountId = accountId, Action = action, EventTime = Now,
            Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
            Target = new AuditTarget(target, target, "test"), ReasonCode = 204, Message = action,
        };
    }

    [Fact]
    public async Task Permits_AddUpAcrossBatches_TheLatestTimeWins_AndListsSortByThem()
    {
        var (used, unused, later) = (NewPolicy("acc-p", "kms"), NewPolicy("acc-p", "cloud-object-storage"), NewPolicy("acc-p", "messagehub"));
        foreach (var policy in new[] { used, unused, later })
            await Store.CreatePolicyAsync(policy, Event(policy, "create"), CancellationToken.None);
        var revision = await Store.GetRevisionAsync(CancellationToken.None);

        await Store.RecordPermitsAsync([new(used.Id, Now.AddMinutes(5), 3), new(later.Id, Now.AddMinutes(9), 1)], CancellationToken.None);
        // A second node's batch, with an older latest permit: the counts add, the time stays the newer.
        await Store.RecordPermitsAsync([new(used.Id, Now.AddMinutes(2), 4)], CancellationToken.None);

        Assert.Equal(new PolicyPermits(Now.AddMinutes(5), 7), await Store.GetPermitsAsync(used.Id, CancellationToken.None));
        Assert.Equal(PolicyPermits.None, await Store.GetPermitsAsync(unused.Id, CancellationToken.None));
        // Not a write of the policy: no revision moved, the ETag is the same.
        Assert.Equal(revision, await Store.GetRevisionAsync(CancellationToken.None));
        Assert.Equal((await Store.GetPolicyAsync(used.Id, CancellationToken.None))!.ETag, (await Store.GetPolicyAsync(used.Id, CancellationToken.None))!.ETag);

        var byPermit = await Store.ListPoliciesAsync(new PolicyQuery { AccountId = "acc-p", Sort = PolicySortField.LastPermitAt, Limit = 2 }, CancellationToken.None);
        Assert.Equal([unused.Id, used.Id], byPermit.Policies.Select(p => p.Id));
        Assert.Equal(7, byPermit.Policies[1].Permits!.Frequency);
        var rest = await Store.ListPoliciesAsync(new PolicyQuery { AccountId = "acc-p", Sort = PolicySortField.LastPermitAt, Limit = 2, After = byPermit.Next },
            CancellationToken.None);
        Assert.Equal([later.Id], rest.Policies.Select(p => p.Id));
        var plain = await Store.ListPoliciesAsync(new PolicyQuery { AccountId = "acc-p" }, CancellationToken.None);
        Assert.All(plain.Policies, p => Assert.Null(p.Permits));
    }

    protected sealed class RecordingSink : IChangeSink
    {
        public List<ChangeSet> Calls { get; } = [];

        public void Apply(ChangeSet changes)
        {
            lock (Calls)
                Calls.Add(changes);
        }
    }

    protected static Policy NewPolicy(string accountId, string target, string? instance = null, string role = "crn:v1:bluemix:public:iam::::serviceRole:Reader") => new()
    {
        Id = Ids.NewUuid(),
        Type = PolicyType.Authorization,
        AccountId = accountId,
        Subject = [new("accountId", accountId, AttributeOperator.StringEquals, false), new("serviceName", "cloud-object-storage", AttributeOperator.StringEquals, false)],
        Roles = [role],
        Resource = instance is null
            ? [new("accountId", accountId, AttributeOperator.StringEquals, true), new("serviceName", target, AttributeOperator.StringEquals, true)]
            : [new("accountId", accountId, AttributeOperator.StringEquals, true), new("serviceName", target, AttributeOperator.StringEquals, true),
               new("serviceInstance", instance, AttributeOperator.StringEquals, true)],
        CreatedAt = Now,
        CreatedById = "IBMid-1",
        LastModifiedAt = Now,
        LastModifiedById = "IBMid-1",
    };

    protected static AuditEvent Event(Policy policy, string verb) => new()
    {
        Id = Ids.NewUuid(),
        AccountId = policy.AccountId,
        Action = $"iam-am.policy.{verb}",
        EventTime = Now,
        Initiator = new AuditInitiator("IBMid-1", "IBMid-1", "service/security/account/user", "token"),
        Target = new AuditTarget(Crn.ForPolicy(policy.AccountId, policy.Id).ToString(), policy.Id, "iam-am/policy"),
        ReasonCode = 200,
        Message = $"{verb} policy {policy.Id}",
    };

    private async Task<(NewAccount Account, string Secret)> CreateAccountAsync()
    {
        var secret = ApiKeySecrets.NewSecret();
        var (account, auditEvent) = NewAccount.Create("Acme", "owner@acme.test", secret,
            new AuditInitiator("tessera", "tessera", "service/security/clientid", "token"), Now);
        await Store.CreateAccountAsync(account, auditEvent, CancellationToken.None);
        return (account, secret);
    }
}
