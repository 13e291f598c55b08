using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Server.Decisions;
using Tessera.Server.Hosting;
using Tessera.Server.Http;
using Tessera.Server.Policies;

namespace Tessera.Server.Tests.Fuzzing;

/// <summary>
/// Properties of the readers every request goes through, over generated input: whatever the bytes or the query, a
/// reader answers a value or a 4xx in IBM's envelope and never throws, and the UTF-8 check agrees with .NET's own
/// strict decoder.
/// </summary>
public class ReaderPropertyTests
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(Options.Create(new TesseraOptions { DataDirectory = Path.GetTempPath() }))
        .BuildServiceProvider();

    /// <summary>Text of any UTF-16 units, lone surrogates included, and JSON made of it with escapes or raw bytes.</summary>
    private static readonly Gen<string> AnyText = Gen.String[Gen.Char, 0, 40];

    private static readonly Gen<byte[]> JsonLikeBytes = Gen.OneOf(
        Gen.Byte.Array[0, 200],
        Gen.Select(AnyText, Gen.Byte.Array[0, 8], Gen.Int[0, 3], (text, bytes, shape) => shape switch
        {
            0 => Encoding.UTF8.GetBytes($"{{\"{Escape(text)}\":1}}"),
            1 => [.. "{\"name\":\""u8, .. bytes, .. "\"}"u8],
            2 => Encoding.UTF8.GetBytes($"{{\"page\":{{\"limit\":{(text.Length % 2 == 0 ? "true" : "\"" + Escape(text) + "\"")},\"token\":{text.Length}}}}}"),
            _ => Encoding.UTF8.GetBytes($"[\"{Escape(text)}\",{{\"a\":[\"{Escape(text)}\"]}}]"),
        }));

    [Fact]
    public void Utf8Check_AgreesWithTheStrictDecoder_OnEveryString() =>
        Gen.Select(AnyText, Gen.Byte.Array[0, 12]).Sample((text, bytes) =>
        {
            var escaped = Encoding.UTF8.GetBytes($"{{\"{Escape(text)}\":\"x\"}}");
            byte[] raw = [.. "[\""u8, .. bytes.Where(b => b is not ((byte)'"' or (byte)'\\') and >= 0x20), .. "\"]"u8];

            Assert.Equal(IsText(text), JsonText.FindInvalidString(escaped, 64) is null);
            Assert.Equal(IsUtf8(raw[2..^2]), JsonText.FindInvalidString(raw, 64) is null);
        }, iter: 20_000);

    [Fact]
    public void JsonBody_AnswersADocumentOrA4xx_ForAnyBytes() =>
        JsonLikeBytes.Sample(bytes =>
        {
            var (document, error) = JsonBody.ReadAsync(Request(bytes, chunked: bytes.Length % 2 == 0), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            using (document)
            {
                Assert.True((document is null) != (error is null));
                Assert.True(error is null || error.StatusCode is >= 400 and < 500);
                // What the reader lets through can be read as text everywhere.
                if (document is not null)
                    ReadEveryString(document.RootElement);
            }
        }, iter: 20_000);

    [Fact]
    public void RequestBody_Getters_NeverThrow() =>
        JsonLikeBytes.Sample(bytes =>
        {
            using var body = RequestBody.ReadAsync(Request(bytes, chunked: false), CancellationToken.None, "name", "page", "description")
                .AsTask().GetAwaiter().GetResult();
            _ = body.RequiredText("name", 100);
            _ = body.OptionalText("description", 100);
            _ = body.OptionalBoolean("page");
            Assert.True(body.Error is not null || body.Problem is not null || body.Property("name") is not null || body.Property("name") is null);
        }, iter: 10_000);

    [Fact]
    public void SearchPaging_IsAPageOrA400Message_ForAnyPageObject() =>
        JsonLikeBytes.Sample(bytes =>
        {
            // What JsonBody would hand on: a well-formed object whose strings are text.
            using var document = TryParse(bytes);
            if (document?.RootElement.ValueKind != JsonValueKind.Object || JsonText.FindInvalidString(bytes, 64) is not null)
                return;
            var (_, limit, error) = DecisionsApi.ReadPage(document.RootElement);
            Assert.True(error is not null || limit is >= 1 and <= 1000);
        }, iter: 20_000);

    [Fact]
    public void PolicyListQuery_IsAQueryOrA4xx_ForAnyQueryString() =>
        Gen.Select(Gen.String[Gen.Char, 0, 30], Gen.OneOf(Gen.Const("limit"), Gen.Const("sort"), Gen.Const("start"), Gen.Const("type"),
                Gen.Const("state"), Gen.Const("format"), Gen.Const("account_id")).Array[1, 6])
            .Sample((value, names) =>
            {
                var context = new DefaultHttpContext { RequestServices = Services };
                context.Request.QueryString = new QueryString("?" + string.Join('&', names.Select(n => $"{n}={Uri.EscapeDataString(Scrub(value))}")));
                var (query, error) = PolicyListQuery.Read(context);
                Assert.True((query is null) != (error is null));
                Assert.True(error is null || error.StatusCode is >= 400 and < 500);
                _ = PageTokens.TryDecode(value, value, out _);
            }, iter: 20_000);

    private static DefaultHttpContext Request(byte[] body, bool chunked)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = chunked ? null : body.Length;
        return context;
    }

    private static void ReadEveryString(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ReadEveryString(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    ReadEveryString(item);
                break;
        }
    }

    private static JsonDocument? TryParse(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>JSON string escapes for every UTF-16 unit that needs one, lone surrogates as <c>\uXXXX</c>.</summary>
    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string Scrub(string text) => new(text.Select(c => char.IsSurrogate(c) ? '?' : c).ToArray());

    /// <summary>What the check accepts: well-formed UTF-16 without NUL (which PostgreSQL cannot store).</summary>
    private static bool IsText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]) || text[i] == '\0')
                return false;
        }
        return true;
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
