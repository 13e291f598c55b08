namespace Tessera.Decisions;

/// <summary>
/// Decisions for any subject: the decision index's answer for the subject itself and, when the subject is a user or
/// service ID, for each access group it belongs to (an access policy granted to a group applies to its members).
/// Like the index, it takes no lock, does no I/O and allocates nothing.
/// </summary>
public sealed class Decider(DecisionIndex index, ResourceDirectory directory)
{
    public Decision Check(in DecisionRequest request)
    {
        var decision = index.Check(request);
        if (decision.Permit || request.Subject.IamId is not { } iamId)
            return decision;
        foreach (var group in directory.GroupsOf(iamId))
        {
            var byGroup = index.Check(request with { Subject = request.Subject with { AccessGroupId = group } });
            if (byGroup.Permit)
                return byGroup;
        }
        return decision;
    }

    /// <summary>The explanation of the subject's own decision, or of the first access group's that permits.</summary>
    public Explanation Explain(in DecisionRequest request)
    {
        var explanation = index.Explain(request);
        if (explanation.Decision.Permit || request.Subject.IamId is not { } iamId)
            return explanation;
        foreach (var group in directory.GroupsOf(iamId))
        {
            var byGroup = index.Explain(request with { Subject = request.Subject with { AccessGroupId = group } });
            if (byGroup.Decision.Permit)
                return byGroup;
        }
        return explanation;
    }
}
