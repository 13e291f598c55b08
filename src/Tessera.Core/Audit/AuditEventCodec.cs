using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Audit;

/// <summary>Writes an event as the CADF JSON document IBM Activity Tracker emits, and reads it back.</summary>
public static class AuditEventCodec
{
    // CADF eventTime: UTC with milliseconds and a +0000 offset, e.g. 2019-11-26T17:40:30.634+0000.
    private const string EventTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'+0000'";

    // Events are read by log pipelines, not embedded in HTML: keep '+' and '&' readable instead of \u002B.
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(AuditEvent e)
    {
        var document = new JsonObject
        {
            ["id"] = e.Id,
            ["eventTime"] = e.EventTime.UtcDateTime.ToString(EventTimeFormat, CultureInfo.InvariantCulture),
            ["action"] = e.Action,
            ["outcome"] = e.Outcome,
            ["severity"] = e.Severity,
            ["message"] = e.Message,
            ["dataEvent"] = false,
            ["initiator"] = new JsonObject
            {
                ["id"] = e.Initiator.Id,
                ["name"] = e.Initiator.Name,
                ["typeURI"] = e.Initiator.TypeUri,
                ["credential"] = new JsonObject { ["type"] = e.Initiator.CredentialType },
            },
            ["target"] = new JsonObject { ["id"] = e.Target.Id, ["name"] = e.Target.Name, ["typeURI"] = e.Target.TypeUri },
            ["reason"] = new JsonObject { ["reasonCode"] = e.ReasonCode },
            ["requestData"] = e.RequestData?.DeepClone(),
            ["responseData"] = e.ResponseData?.DeepClone(),
            ["observer"] = new JsonObject { ["name"] = "ActivityTracker" },
            ["meta"] = new JsonObject { ["serviceProviderName"] = e.Action.Split('.')[0], ["userAccountIds"] = new JsonArray(e.AccountId) },
        };
        return document.ToJsonString(WriteOptions);
    }

    public static AuditEvent FromJson(string json, long revision, long sequence)
    {
        var node = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("a stored audit event is null");
        var initiator = node["initiator"]!.AsObject();
        var target = node["target"]!.AsObject();
        return new AuditEvent
        {
            Id = (string)node["id"]!,
            AccountId = (string)node["meta"]!["userAccountIds"]![0]!,
            Action = (string)node["action"]!,
            EventTime = DateTimeOffset.ParseExact((string)node["eventTime"]!, EventTimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            Outcome = (string)node["outcome"]!,
            Severity = (string)node["severity"]!,
            Message = (string)node["message"]!,
            ReasonCode = (int)node["reason"]!["reasonCode"]!,
            Initiator = new AuditInitiator((string)initiator["id"]!, (string)initiator["name"]!, (string)initiator["typeURI"]!,
                (string)initiator["credential"]!["type"]!),
            Target = new AuditTarget((string)target["id"]!, (string)target["name"]!, (string)target["typeURI"]!),
            RequestData = node["requestData"] as JsonObject is { } request ? (JsonObject)request.DeepClone() : null,
            ResponseData = node["responseData"] as JsonObject is { } response ? (JsonObject)response.DeepClone() : null,
            Revision = revision,
            Sequence = sequence,
        };
    }
}
