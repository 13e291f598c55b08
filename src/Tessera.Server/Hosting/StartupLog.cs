namespace Tessera.Server.Hosting;

/// <summary>The start-up's log lines.</summary>
internal static partial class StartupLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {PolicyCount} active policies at revision {Revision} in {Seconds:F2} s")]
    public static partial void IndexLoaded(ILogger logger, int policyCount, long revision, double seconds);
}
