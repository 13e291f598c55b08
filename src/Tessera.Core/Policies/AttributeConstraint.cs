namespace Tessera.Policies;

/// <summary>
/// One constraint of a policy's subject or resource. <see cref="OperatorGiven"/> remembers whether the client wrote the
/// operator, because IBM's SDK tests expect the attributes echoed exactly as sent.
/// </summary>
public sealed record AttributeConstraint(string Name, string Value, AttributeOperator Operator, bool OperatorGiven);
