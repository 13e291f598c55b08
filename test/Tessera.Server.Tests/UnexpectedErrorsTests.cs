using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.Server.Errors;

namespace Tessera.Server.Tests;

/// <summary>An exception no endpoint expected: a 500 in IBM's envelope and one log line with the trace id, no stack trace.</summary>
public class UnexpectedErrorsTests
{
    [Fact]
    public async Task ABug_IsOneLogLineWithTheTraceId_AndA500ThatSaysNothingMore()
    {
        var logger = new CapturingLogger();
        var context = new DefaultHttpContext { TraceIdentifier = "trace-0123" };
        context.Request.Method = "POST";
        context.Request.Path = "/v1/policies";
        context.Response.Body = new MemoryStream();
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the index is in a state it should never be in");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        var handled = await new UnexpectedErrors(logger).TryHandleAsync(context, thrown, CancellationToken.None);

        Assert.True(handled);
        var (level, message, exception) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, level);
        Assert.Null(exception); // the stack trace stays out of the log
        Assert.DoesNotContain('\n', message);
        Assert.Contains("trace-0123", message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: the index is in a state it should never be in", message, StringComparison.Ordinal);
        Assert.Contains(nameof(ABug_IsOneLogLineWithTheTraceId_AndA500ThatSaysNothingMore), message, StringComparison.Ordinal);
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("trace-0123", body.RootElement.GetProperty("trace").GetString());
        Assert.DoesNotContain("state it should never", body.RootElement.ToString(), StringComparison.Ordinal);
    }

    private sealed class CapturingLogger : ILogger<UnexpectedErrors>
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
