using BenchmarkDotNet.Attributes;
using Tessera.Decisions;
using Tessera.Policies;

namespace Tessera.Benchmarks;

/// <summary>
/// The in-process check, the plain hash-indexed baseline, and one incremental write, per workload file.
/// Each benchmark operation is one check (the loop runs a fixed batch of the workload's checks).
/// </summary>
[MemoryDiagnoser]
public class CheckBenchmarks
{
    private const int Batch = 1024;
    private DecisionIndex _index = null!;
    private HashIndexedEvaluator _baseline = null!;
    private DecisionRequest[] _requests = null!;
    private Policy _writePolicy = null!;
    private long _revision;

    /// <summary>Workload files, from TESSERA_BENCH_WORKLOADS (comma-separated), set by <c>bench bdn --workload …</c>.</summary>
    public static IEnumerable<string> Workloads() =>
        (Environment.GetEnvironmentVariable("TESSERA_BENCH_WORKLOADS") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var workload = Benchmarks.Workload.Read(Workload);
        _index = new DecisionIndex(workload.RoleActions());
        _index.Load(workload.ToPolicies(), 1);
        _baseline = new HashIndexedEvaluator(workload);
        _requests = workload.Checks.Take(Batch).Select(c => c.ToRequest()).ToArray();
        Verification.AssertAllAgree(_index, workload);
        _writePolicy = workload.ToPolicies().First() with { Id = "bench-write" };
        _revision = 1;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int TesseraCheck()
    {
        var permits = 0;
        foreach (ref readonly var request in _requests.AsSpan())
        {
            if (_index.Check(request).Permit)
                permits++;
        }
        return permits;
    }

    [Benchmark(OperationsPerInvoke = Batch, Baseline = true)]
    public int HashIndexedCheck()
    {
        var permits = 0;
        foreach (ref readonly var request in _requests.AsSpan())
        {
            if (_baseline.Check(request))
                permits++;
        }
        return permits;
    }

    /// <summary>One create followed by one delete of a policy, each its own revision: two incremental writes.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public void IncrementalWrite()
    {
        _index.Apply(++_revision, [_writePolicy]);
        _index.Apply(++_revision, [_writePolicy with { State = PolicyState.Deleted }]);
    }
}
