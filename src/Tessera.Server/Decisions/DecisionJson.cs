using System.Text.Encodings.Web;
using System.Text.Json;
using Tessera.Decisions;

namespace Tessera.Server.Decisions;

/// <summary>Writes AuthZEN decision bodies straight to the response, without an intermediate object graph.</summary>
internal static class DecisionJson
{
    // Decision bodies go to services, not into HTML: keep quotes and '&' readable.
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteDecision(Utf8JsonWriter json, Decision decision, Explanation? explanation, string? reason = null)
    {
        json.WriteStartObject();
        json.WriteBoolean("decision", decision.Permit);
        json.WriteStartObject("context");
        if (decision.Permit)
        {
            json.WriteStartArray("policy_ids");
            if (explanation is null)
                json.WriteStringValue(decision.PolicyId);
            else
                foreach (var policy in explanation.ClosestPolicies)
                    json.WriteStringValue(policy.PolicyId);
            json.WriteEndArray();
        }
        else
        {
            json.WriteString("reason", reason ?? decision.ReasonText);
            json.WriteString("reason_code", ReasonCode(decision.Reason));
        }
        if (explanation is not null)
        {
            json.WriteStartObject("explanation");
            json.WriteStartArray("closest_policies");
            foreach (var policy in explanation.ClosestPolicies)
            {
                json.WriteStartObject();
                json.WriteString("policy_id", policy.PolicyId);
                json.WriteStartArray("mismatches");
                foreach (var mismatch in policy.Mismatches)
                    json.WriteStringValue(mismatch);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A decision for a caller who may not read the policies behind it: no policy ids, no reason.</summary>
    public static void WriteBare(Utf8JsonWriter json, bool permit)
    {
        json.WriteStartObject();
        json.WriteBoolean("decision", permit);
        json.WriteEndObject();
    }

    /// <summary>An evaluation that could not be read (400) or asked (403): denied, with the problem in its context; the others still run.</summary>
    public static void WriteInvalid(Utf8JsonWriter json, string error, int status)
    {
        json.WriteStartObject();
        json.WriteBoolean("decision", false);
        json.WriteStartObject("context");
        json.WriteStartObject("error");
        json.WriteNumber("status", status);
        json.WriteString("message", error);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static Utf8JsonWriter Writer(HttpResponse response)
    {
        response.ContentType = "application/json; charset=utf-8";
        return new Utf8JsonWriter(response.BodyWriter, Options);
    }

    private static string ReasonCode(DenyReason reason) => reason switch
    {
        DenyReason.NoPolicyForTarget => "no_policy_for_target",
        DenyReason.NoMatchingScope => "no_matching_scope",
        DenyReason.ActionNotGranted => "action_not_granted",
        DenyReason.UnknownAction => "unknown_action",
        DenyReason.OutsideItsConditions => "outside_its_conditions",
        _ => "denied",
    };
}
