using Microsoft.AspNetCore.Mvc;
using Tessera.Audit;
using Tessera.Management;
using Tessera.Storage;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The account's audit trail, newest first, for a caller who may read it (the rule book's answer, as for <c>GET /v1/events</c>).</summary>
public sealed class EventsModel(RuleBook rules) : ConsolePage
{
    private const int PageSize = 50;

    /// <summary>The actions a filter offers: every kind of change the trail records.</summary>
    public static readonly string[] KnownActions =
    [
        "iam-am.policy.create", "iam-am.policy.update", "iam-am.policy.delete",
        "iam-identity.account.create",
        "iam-identity.serviceid.create", "iam-identity.serviceid.update", "iam-identity.serviceid.delete",
        "iam-identity.apikey.create", "iam-identity.apikey.update", "iam-identity.apikey.delete",
        "iam-groups.group.create", "iam-groups.group.delete", "iam-groups.member.add", "iam-groups.member.remove",
        "resource-controller.instance.create", "resource-controller.instance.delete",
        "resource-controller.group.create", "resource-controller.group.update", "resource-controller.group.delete",
    ];

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true, Name = "before")]
    public long? Before { get; set; }

    public IReadOnlyList<AuditEvent>? Events { get; private set; }

    /// <summary>Where the next, older page starts, when there is one.</summary>
    public long? Older { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var query = new EventQuery
        {
            AccountId = Caller.AccountId,
            Action = Action is { Length: > 0 } ? Action : null,
            NewestBefore = Before ?? long.MaxValue,
            Limit = PageSize + 1,
        };
        var listed = await rules.ListEventsAsync(Call, query, cancellationToken);
        if (!listed.Succeeded)
        {
            Show(listed.Problem!);
            return;
        }
        var events = listed.Value!;
        Events = events.Take(PageSize).ToList();
        Older = events.Count > PageSize ? Events[^1].Sequence : null;
    }
}
