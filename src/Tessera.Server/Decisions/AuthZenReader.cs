using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Tessera.Catalog;
using Tessera.Decisions;
using Tessera.Model;
using Tessera.Server.Identity;

namespace Tessera.Server.Decisions;

/// <summary>
/// Turns AuthZEN subjects, resources and actions into the engine's attributes. What Tessera can establish itself
/// (a verified token's identity, the parts of a CRN, a registered instance's resource group) always wins over
/// properties the caller supplies, so a caller cannot claim to be another service or widen a resource.
/// </summary>
internal sealed class AuthZenReader(VerifiedTokens tokens, ResourceDirectory directory, ServiceCatalog catalog)
{
    /// <summary>Properties beyond the standard names kept per entity: enough for any service's attributes, bounded for hostile input.</summary>
    private const int MaxServiceDefined = 16;
    // A value read from the request's UTF-8 into a stack buffer when it is this short and has no JSON escapes.
    private const int MaxStackCrnBytes = 512;
    private readonly RequestStrings _strings = new();

    private static readonly string[] PropertyNames = ["accountId", "serviceName", "serviceInstance", "resourceGroupId", "resourceType", "resource", "region"];

    /// <summary>
    /// One evaluation: the item's own subject/action/resource/context, each falling back to the request's defaults. A
    /// batch passes its default subject read once (<paramref name="defaultSubject"/>), so that a hundred items about one
    /// source parse its CRN once, not a hundred times. <paramref name="callerAccount"/>, the asking identity's account, is
    /// where a resource in AuthZEN's plain form is.
    /// </summary>
    public async ValueTask<Evaluation> ReadAsync(JsonElement item, JsonElement defaults, (Attributes Attributes, string? Error)? defaultSubject = null,
        string? callerAccount = null)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return Evaluation.Invalid("an evaluation must be a JSON object");

        var subject = Pick(item, defaults, "subject");
        var action = Pick(item, defaults, "action");
        var resource = Pick(item, defaults, "resource");
        var context = Pick(item, defaults, "context");
        if (subject is null || action is null || resource is null)
            return Evaluation.Invalid("subject, action and resource are required (in the evaluation or as defaults)");

        var ownSubject = item.TryGetProperty("subject", out var own) && own.ValueKind != JsonValueKind.Null;
        var (subjectAttributes, subjectError) = !ownSubject && defaultSubject is { } shared ? shared : await ReadSubjectAsync(subject.Value);
        if (subjectError is not null)
            return Evaluation.Invalid(subjectError);
        if (!TryReadResource(resource.Value, out var resourceAttributes, out var resourceError, callerAccount))
            return Evaluation.Invalid(resourceError);
        if (!TryReadAction(action.Value, out var actionName, out var actionError))
            return Evaluation.Invalid(actionError);

        var explain = false;
        if (context is { ValueKind: JsonValueKind.Object } ctx && ctx.TryGetProperty("explain", out var explainElement))
        {
            if (explainElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return Evaluation.Invalid("context.explain must be a boolean");
            explain = explainElement.GetBoolean();
        }
        else if (context is { ValueKind: not JsonValueKind.Object })
        {
            return Evaluation.Invalid("context must be a JSON object");
        }
        return new Evaluation(new DecisionRequest(subjectAttributes, actionName, resourceAttributes), explain, null);
    }

    public async ValueTask<(Attributes Attributes, string? Error)> ReadSubjectAsync(JsonElement subject)
    {
        if (subject.ValueKind != JsonValueKind.Object)
            return (default, "subject must be a JSON object");
        if (!TryString(subject, "type", out var type) || type is null)
            return (default, "subject.type is required and must be a string");
        if (!TryString(subject, "id", out var id))
            return (default, "subject.id must be a string");

        switch (type)
        {
            case "token":
                if (id is null)
                    return (default, "subject.id must carry the caller's access token when subject.type is 'token'");
                var verified = await tokens.VerifyAsync(id);
                if (verified is null)
                    return (default, "subject.id is not a valid, unexpired Tessera access token");
                // The token's identity is used as is: a source service authenticates as its instance (crn-<CRN>); a user or
                // service ID by its iam_id, which access policies name.
                var iamId = verified.Caller.IamId;
                if (verified.Caller.InstanceCrn is { } instanceCrn && Crn.TryParse(instanceCrn, out var instance, out _))
                    return (directory.Complete(FromCrn(instance) with { IamId = iamId }), null);
                return (new Attributes(AccountId: verified.Caller.AccountId, IamId: iamId), null);

            case "user" or "identity":
                if (id is not { Length: > 0 })
                    return (default, $"subject.id must be the iam_id of the {type}");
                // An identity is its iam_id; of its properties only those a service defines count (a role it claims), never
                // an account or service, which would let it pose as a source service.
                var claimed = default(Attributes);
                return TryFillFromProperties(subject, "subject", ref claimed, out var claimError)
                    ? (new Attributes(IamId: id, ServiceDefined: claimed.ServiceDefined), null)
                    : (default, claimError);

            case "service":
                var attributes = default(Attributes);
                if (id is not null)
                {
                    if (!TryReadCrn(subject.GetProperty("id"), out attributes, out var crnError))
                        return (default, $"subject.id must be the source instance's CRN: {crnError}");
                }
                return TryFillFromProperties(subject, "subject", ref attributes, out var error) ? (directory.Complete(attributes), null) : (default, error);

            default:
                return (default, $"subject.type '{type}' is not supported; use 'service' (with the source instance CRN), 'token', or 'user' (with an iam_id)");
        }
    }

    public bool TryReadResource(JsonElement resource, out Attributes attributes, [NotNullWhen(false)] out string? error, string? callerAccount = null)
    {
        attributes = default;
        if (resource.ValueKind != JsonValueKind.Object)
        {
            error = "resource must be a JSON object";
            return false;
        }
        if (!TryString(resource, "type", out _) || !TryString(resource, "id", out var id))
        {
            error = "resource.type and resource.id must be strings";
            return false;
        }
        if (id is not null && id.StartsWith("crn:", StringComparison.Ordinal))
        {
            if (!TryReadCrn(resource.GetProperty("id"), out attributes, out var crnError))
            {
                error = $"resource.id: {crnError}";
                return false;
            }
        }
        if (!TryFillFromProperties(resource, "resource", ref attributes, out error))
            return false;
        if (id is not null && attributes.ServiceName is null && TryString(resource, "type", out var type) && type is not null
            && catalog.ServiceOfResourceType(type) is { } service)
        {
            // AuthZEN's plain form, {"type":"record","id":"record-1"}: a resource of the service whose catalog entry declares
            // that type, in the caller's account unless a property says otherwise.
            attributes = attributes with
            {
                AccountId = attributes.AccountId ?? callerAccount, ServiceName = service.Name, ResourceType = type, Resource = attributes.Resource ?? id,
            };
        }
        attributes = directory.Complete(attributes);
        return true;
    }

    public bool TryReadAction(JsonElement action, [NotNullWhen(true)] out string? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        error = null;
        if (action.ValueKind != JsonValueKind.Object || !TryString(action, "name", out name) || string.IsNullOrEmpty(name))
        {
            error = "action must be an object with a non-empty string 'name'";
            name = null;
            return false;
        }
        return true;
    }

    /// <summary>
    /// A CRN-valued JSON string as attributes, read from the request's own UTF-8 and split in place, with each segment
    /// taken from <see cref="RequestStrings"/>: no string is made for a value seen before. Escaped or long ones are
    /// read the ordinary way.
    /// </summary>
    private bool TryReadCrn(JsonElement id, out Attributes attributes, [NotNullWhen(false)] out string? error)
    {
        var raw = JsonMarshal.GetRawUtf8Value(id);
        if (raw.Length > MaxStackCrnBytes || raw.IndexOf((byte)'\\') >= 0)
        {
            attributes = default;
            if (!Crn.TryParse(id.GetString(), out var crn, out error))
                return false;
            attributes = FromCrn(crn);
            return true;
        }
        Span<char> chars = stackalloc char[raw.Length];
        var text = chars[..Encoding.UTF8.GetChars(raw[1..^1], chars)];
        Span<Range> ranges = stackalloc Range[11];
        if (!Crn.TrySplit(text, ranges, out error))
        {
            attributes = default;
            return false;
        }
        var scope = text[ranges[Crn.Segment.Scope]];
        attributes = new Attributes(
            AccountId: scope.StartsWith("a/") ? _strings.Get(scope[2..]) : null,
            ServiceName: _strings.Get(text[ranges[Crn.Segment.ServiceName]]),
            ServiceInstance: _strings.Get(text[ranges[Crn.Segment.ServiceInstance]]),
            ResourceType: _strings.Get(text[ranges[Crn.Segment.ResourceType]]),
            Resource: _strings.Get(text[ranges[Crn.Segment.Resource]]),
            Region: _strings.Get(text[ranges[Crn.Segment.Region]]));
        return true;
    }

    internal static Attributes FromCrn(Crn crn) => new(
        Empty(crn.AccountId), Empty(crn.ServiceName), Empty(crn.ServiceInstance), null, Empty(crn.ResourceType), Empty(crn.Resource), Empty(crn.Region));

    /// <summary>Properties fill only what the CRN did not say.</summary>
    private bool TryFillFromProperties(JsonElement entity, string side, ref Attributes attributes, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (!entity.TryGetProperty("properties", out var properties) || properties.ValueKind == JsonValueKind.Null)
            return true;
        if (properties.ValueKind != JsonValueKind.Object)
        {
            error = $"{side}.properties must be a JSON object";
            return false;
        }
        List<KeyValuePair<string, string>>? serviceDefined = null;
        foreach (var property in properties.EnumerateObject())
        {
            if (!PropertyNames.Contains(property.Name))
            {
                // Any other property is accepted (AuthZEN 1.0); it matters only where a policy constrains an attribute of that
                // name that its service defines. Text, numbers and booleans are compared as their text; objects and arrays never match.
                if ((serviceDefined?.Count ?? 0) < MaxServiceDefined && ServiceDefinedValue(property.Value) is { } text)
                    (serviceDefined ??= []).Add(new(property.Name, text));
                continue;
            }
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                error = $"{side}.properties.{property.Name} must be a string";
                return false;
            }
            var value = Interned(property.Value);
            attributes = property.Name switch
            {
                "accountId" => attributes with { AccountId = attributes.AccountId ?? value },
                "serviceName" => attributes with { ServiceName = attributes.ServiceName ?? value },
                "serviceInstance" => attributes with { ServiceInstance = attributes.ServiceInstance ?? Crn.InstanceGuid(value!) },
                "resourceGroupId" => attributes with { ResourceGroupId = attributes.ResourceGroupId ?? value },
                "resourceType" => attributes with { ResourceType = attributes.ResourceType ?? value },
                "resource" => attributes with { Resource = attributes.Resource ?? value },
                _ => attributes with { Region = attributes.Region ?? value },
            };
        }
        if (serviceDefined is not null)
            attributes = attributes with { ServiceDefined = new ServiceAttributes(serviceDefined) };
        return true;
    }

    private static string? ServiceDefinedValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static JsonElement? Pick(JsonElement item, JsonElement defaults, string name) =>
        item.TryGetProperty(name, out var own) && own.ValueKind != JsonValueKind.Null ? own
        : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty(name, out var fallback) && fallback.ValueKind != JsonValueKind.Null ? fallback
        : null;

    private bool TryString(JsonElement obj, string name, out string? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
            return true;
        if (element.ValueKind != JsonValueKind.String)
            return false;
        value = Interned(element);
        return true;
    }

    /// <summary>A JSON string's value, from <see cref="RequestStrings"/> when it is short and unescaped (no allocation once seen).</summary>
    private string? Interned(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.Length > MaxStackCrnBytes || raw.IndexOf((byte)'\\') >= 0)
            return element.GetString();
        Span<char> chars = stackalloc char[raw.Length];
        return _strings.Get(chars[..Encoding.UTF8.GetChars(raw[1..^1], chars)]) ?? string.Empty;
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}

/// <summary>A parsed evaluation, or why it cannot be answered (400 when it could not be read).</summary>
internal readonly record struct Evaluation(DecisionRequest Request, bool Explain, string? Error, int ErrorStatus = StatusCodes.Status400BadRequest)
{
    public static Evaluation Invalid(string error, int status = StatusCodes.Status400BadRequest) => new(default, false, error, status);
}
