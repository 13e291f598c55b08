namespace Tessera.Policies;

/// <summary>Hard caps on what a client can put in a policy (IBM documents 1–1000 characters per attribute value).</summary>
public static class PolicyLimits
{
    public const int MaxValueLength = 1000;
    public const int MaxDescriptionLength = 300;
    public const int MaxAttributes = 10;
    public const int MaxRoles = 20;
    /// <summary>Values of one <c>stringEqualsAnyOf</c> or <c>stringMatchAnyOf</c> constraint.</summary>
    public const int MaxAnyOfValues = 100;
    /// <summary>Conditions in one <c>and</c> / <c>or</c> of a rule.</summary>
    public const int MaxRuleConditions = 10;
}
