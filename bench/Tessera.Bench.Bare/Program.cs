using System.Text.Json;

// The yardstick for the HTTP decision benchmark: a bare ASP.NET Core endpoint that reads the same AuthZEN body into
// a JsonDocument, touches the fields a decision needs, and answers a constant. No authentication, no decision.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var permit = """{"decision":true}"""u8.ToArray();

app.MapPost("/access/v1/evaluation", async (HttpContext context) =>
{
    using var document = await JsonDocument.ParseAsync(context.Request.Body);
    var root = document.RootElement;
    _ = root.GetProperty("subject").GetProperty("id").GetString();
    _ = root.GetProperty("action").GetProperty("name").GetString();
    _ = root.GetProperty("resource").GetProperty("id").GetString();
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(permit);
});

app.Run();
