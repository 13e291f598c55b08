using System.Text;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>
/// Requests that no HTTP client library would send: broken chunked framing (a chunk size that overflows, bad hex,
/// extensions, missing terminators), Content-Length and Transfer-Encoding together or twice, bad request lines and
/// header syntax. Sent with the owner's token only when the body is certainly unacceptable.
/// </summary>
internal static class RawRequests
{
    private static readonly string[] ChunkSizes = ["FFFFFFFFFFFFFFFF", "10000000000000000", "-1", "zz", "0x10", "5;ext=1", "5 ", "", "7fffffff", "3\r\nabc\r\n2"];

    public static byte[] Next(FuzzTarget target, Random random)
    {
        var path = random.Next(4) switch
        {
            0 => "/v1/serviceids",
            1 => "/access/v1/evaluation",
            2 => $"/v1/policies?account_id={target.AccountId}",
            _ => "/identity/token",
        };
        var token = random.Next(3) switch { 0 => target.OwnerToken, 1 => target.NobodyToken, _ => "forged" };
        var head = new StringBuilder();
        switch (random.Next(8))
        {
            case 0:
                head.Append(random.Next(3) switch { 0 => "GET / HTTP/9.9", 1 => "POST  /v1/policies HTTP/1.1", _ => "\u00ff\u00fe /x HTTP/1.1" });
                head.Append("\r\nHost: x\r\n");
                break;
            case 1:
                head.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n");
                break;
            case 2:
                head.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n");
                break;
            case 3:
                head.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n");
                break;
            case 4:
                head.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nX-Big: {new string('h', random.Next(1000, 40000))}\r\n");
                break;
            default:
                head.Append($"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n");
                break;
        }
        head.Append($"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
        // Every body here is broken JSON (an unclosed object), whatever the framing makes of it.
        var body = $"{ChunkSizes[random.Next(ChunkSizes.Length)]}\r\n{{\"a\":\r\n{(random.Next(2) == 0 ? "0\r\n\r\n" : string.Empty)}";
        return Encoding.Latin1.GetBytes(head + body);
    }
}
