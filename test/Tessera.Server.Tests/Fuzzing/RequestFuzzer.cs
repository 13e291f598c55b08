using System.Text;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>A generated request.</summary>
internal sealed record FuzzRequest(string Method, string PathAndQuery, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body,
    string? ContentType, bool Chunked)
{
    public override string ToString() =>
        $"{Method} {PathAndQuery} [{string.Join(", ", Headers.Select(h => $"{h.Name}: {Trim(h.Value)}"))}] chunked={Chunked} " +
        $"{ContentType} {(Body is null ? "" : Trim(Encoding.UTF8.GetString(Body)))}";

    private static string Trim(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>
/// Generates hostile requests over every route: mutated paths, query strings, headers, tokens, encodings and bodies
/// (structurally mutated JSON, bytes that are not UTF-8, escaped lone surrogates, truncation, nesting, the wrong media
/// type). Requests sent as the account's owner can never be valid writes — an id in their path is always changed, or
/// their body always broken — so that afterwards the store must be exactly as it was; requests as an identity with no
/// rights, or with no or a forged token, are mutated freely and must be refused.
/// </summary>
internal sealed class RequestFuzzer(FuzzTarget target, Random random)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO"];
    private static readonly string[] QueryNames =
    [
        "account_id", "type", "state", "sort", "format", "limit", "start", "service_name", "iam_id", "access_group_id", "pagesize", "pagetoken",
        "source_service_name", "policy_type", "resource_group_id", "name", "after", "since", "follow", "include_history",
    ];
    private static readonly string[] QueryValues =
    [
        "", "0", "-1", "99999999999999999999", "1e3", "true", "%", "%zz", "%ff%fe", "%ED%A0%80", "%00", "a%2Fb", "'; DROP TABLE policies;--",
        "-", "--created_at", "active", "deleted", "authorization", "display", "include_last_permit", "*", new string('q', 5000), "é", "%C3%A9",
    ];
    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/JSON", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json; charset=latin1", "", ";;;", "application/json; boundary=\"",
    ];

    private readonly IReadOnlyList<FuzzRoute> _routes = FuzzRoute.All(target);

    public FuzzRequest Next()
    {
        var route = _routes[random.Next(_routes.Count)];
        var (tokenHeader, asOwner) = Token();
        var method = random.Next(12) == 0 ? Methods[random.Next(Methods.Length)] : route.Method;
        var writes = route.Writes || method is not ("GET" or "HEAD" or "OPTIONS");
        // A write to a path without an id that reads no body (POST /identity/keys rotates the signing key) cannot be made
        // certainly invalid: the owner does not send those.
        if (asOwner && writes && !HasId(route) && route.Body is null)
            (tokenHeader, asOwner) = ("Bearer " + target.NobodyToken, false);
        var path = route.Path;
        var bodyBroken = false;
        // The owner's writes name an object that does not exist, or carry a body no endpoint accepts.
        var mustChangeId = asOwner && writes && HasId(route);
        path = MutatePath(path, force: mustChangeId);

        var headers = new List<(string, string)>();
        if (tokenHeader is not null)
            headers.Add(("Authorization", tokenHeader));
        if (random.Next(6) == 0)
            headers.Add(Header());

        byte[]? body = null;
        var contentType = route.ContentType;
        if (route.Body is not null || random.Next(8) == 0)
        {
            (body, bodyBroken) = Body(route.Body ?? "{}", route.ContentType);
            if (random.Next(15) == 0)
            {
                contentType = ContentTypes[random.Next(ContentTypes.Length)];
                bodyBroken |= !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
            }
        }
        if (asOwner && writes && !mustChangeId && !bodyBroken)
        {
            (body, bodyBroken) = (Break(body ?? "{}"u8.ToArray()), true);
            contentType = route.ContentType;
        }
        return new FuzzRequest(method, path, headers, body, body is null ? null : contentType, random.Next(10) == 0);
    }

    private static bool HasId(FuzzRoute route) => route.Path.Split('?')[0].Split('/').Length > 3;

    /// <summary>The Authorization header, and whether it may authenticate as the owner.</summary>
    private (string? Header, bool AsOwner) Token() => random.Next(10) switch
    {
        0 => (null, false),
        1 => ("Bearer " + Garbage(), false),
        2 => ("Bearer " + Flip(target.OwnerToken), true),
        3 => (random.Next(2) == 0 ? "Basic Yng6Yng=" : "Bearer", false),
        4 or 5 => ("Bearer " + target.NobodyToken, false),
        6 => ("Bearer " + target.OwnerToken + (random.Next(2) == 0 ? "." : "=="), true),
        _ => ("Bearer " + target.OwnerToken, true),
    };

    private string MutatePath(string pathAndQuery, bool force)
    {
        var (path, query) = pathAndQuery.Split('?') is [var p, var q] ? (p, q) : (pathAndQuery, string.Empty);
        var segments = path.Split('/');
        if (force || random.Next(4) == 0)
        {
            // Change the last id-like segment (the 4th and later), or any segment when not forced.
            var at = force ? Math.Max(3, segments.Length - 1 - (segments[^1] is "lock" or "members" ? 1 : 0)) : random.Next(1, segments.Length);
            at = Math.Min(at, segments.Length - 1);
            segments[at] = random.Next(6) switch
            {
                0 => segments[at] + "x",
                1 => segments[at] + "%00",
                2 => "%ff%fe" + segments[at],
                3 => new string('9', random.Next(1, 3000)),
                4 => Uri.EscapeDataString("é✓\u0001") + segments[at],
                _ => Garbage(),
            };
        }
        path = string.Join('/', segments);
        if (random.Next(3) == 0)
        {
            var parameters = query.Length == 0 ? new List<string>() : [.. query.Split('&')];
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                var parameter = $"{QueryNames[random.Next(QueryNames.Length)]}={QueryValues[random.Next(QueryValues.Length)]}";
                if (parameters.Count > 0 && random.Next(2) == 0)
                    parameters[random.Next(parameters.Count)] = parameter;
                else
                    parameters.Add(parameter);
            }
            query = string.Join('&', parameters);
        }
        return query.Length == 0 ? path : $"{path}?{query}";
    }

    private (string, string) Header() => random.Next(8) switch
    {
        0 => ("Consistency-Token", random.Next(3) switch { 0 => Garbage(), 1 => $"ct1.{target.Revision}", _ => "ct1.-5" }),
        1 => ("Transaction-Id", random.Next(2) == 0 ? new string('t', 500) : Garbage()),
        2 => ("If-Match", random.Next(2) == 0 ? "*" : Garbage()),
        3 => ("Content-Encoding", "gzip"),
        4 => ("Accept", "text/html;q=0.1, */*;q=abc"),
        5 => ("X-Forwarded-For", "999.1.1.1, ::ffff:" + Garbage()),
        6 => ("Accept-Charset", "utf-7"),
        _ => ("Cookie", "a=" + Garbage()),
    };

    /// <summary>A body derived from <paramref name="template"/>, and whether it is certainly unacceptable.</summary>
    private (byte[] Body, bool Broken) Body(string template, string contentType)
    {
        if (contentType != "application/json")
            return (Encoding.UTF8.GetBytes(random.Next(2) == 0 ? template : template.Replace("apikey=not-a-key", "apikey=" + Garbage(), StringComparison.Ordinal)), false);
        switch (random.Next(10))
        {
            case 0:
                return (Break(Encoding.UTF8.GetBytes(template)), true);
            case 1:
                return (Encoding.UTF8.GetBytes(new string('[', random.Next(30, 5000)) + new string(']', random.Next(0, 40))), true);
            case 2:
                return (Encoding.UTF8.GetBytes("""{"\ud800":1,"a":"\udfff\ud800"}"""), true);
            case 3:
                return (Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "null", 1 => "\"text\"", _ => "12345678901234567890123456789" }), true);
            default:
                var node = (JsonObject)JsonNode.Parse(template)!;
                JsonMutations.Mutate(node, random);
                return (Encoding.UTF8.GetBytes(node.ToJsonString()), false);
        }
    }

    /// <summary>The body made certainly unacceptable: cut short, or holding bytes that are not UTF-8 inside a string.</summary>
    private byte[] Break(byte[] body)
    {
        var quote = Array.IndexOf(body, (byte)'"', 1);
        return random.Next(3) switch
        {
            0 when body.Length > 1 => body[..random.Next(1, body.Length - 1)],
            1 when quote > 0 => [.. body[..(quote + 1)], 0xff, 0xc3, 0x28, .. body[(quote + 1)..]],
            _ => [.. body, .. "{,"u8],
        };
    }

    private string Flip(string token)
    {
        var chars = token.ToCharArray();
        var at = random.Next(chars.Length);
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private string Garbage()
    {
        const string alphabet = "abcXYZ0189-_.~!$&'()*+,;=:@%/ éü✓";
        var length = random.Next(0, random.Next(2) == 0 ? 40 : 2000);
        return string.Create(length, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
                chars[i] = alphabet[r.Next(alphabet.Length)];
        });
    }
}
