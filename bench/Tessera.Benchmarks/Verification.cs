using Tessera.Decisions;

namespace Tessera.Benchmarks;

internal static class Verification
{
    /// <summary>Every decision must equal the workload's <c>expect</c> before any figure is reported.</summary>
    public static void AssertAllAgree(DecisionIndex index, Workload workload)
    {
        var wrong = 0;
        foreach (var check in workload.Checks)
        {
            if (index.Check(check.ToRequest()).Permit != check.Expect)
                wrong++;
        }
        if (wrong > 0)
            throw new InvalidOperationException($"{wrong} of {workload.Checks.Count} decisions differ from the workload's expect: no figure is reported");
    }
}
