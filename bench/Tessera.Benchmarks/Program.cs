using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Tessera.Benchmarks;
using Tessera.Decisions;
using Tessera.Policies;

// tessera-bench generate --policies N --checks M --seed S --out FILE
// tessera-bench run --workload FILE            load time, memory per policy, verification, decisions/s, p50/p99, allocation
// tessera-bench bdn --workload FILE [...]      the BenchmarkDotNet suite (median, allocations, baseline, incremental write)
var command = args.FirstOrDefault();
string Option(string name, string? fallback = null) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"{name} is required");

switch (command)
{
    case "generate":
    {
        var watch = Stopwatch.StartNew();
        var workload = WorkloadGenerator.Generate(
            int.Parse(Option("--policies"), CultureInfo.InvariantCulture), int.Parse(Option("--checks", "10000"), CultureInfo.InvariantCulture),
            int.Parse(Option("--seed", "1"), CultureInfo.InvariantCulture));
        workload.Write(Option("--out"));
        Console.WriteLine($"wrote {workload.Policies.Count} policies and {workload.Checks.Count} checks " +
                          $"({workload.Checks.Count(c => c.Expect)} permitted) to {Option("--out")} in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
    case "run":
        return RunHarness(Option("--workload"));
    case "bdn":
    {
        var files = args.Select((a, i) => (a, i)).Where(x => x.a == "--workload").Select(x => Path.GetFullPath(args[x.i + 1]));
        Environment.SetEnvironmentVariable("TESSERA_BENCH_WORKLOADS", string.Join(',', files));
        var config = DefaultConfig.Instance
            // In process, with room for a 1M-policy setup (loading and verifying takes tens of seconds).
            .AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false)).WithWarmupCount(3).WithIterationCount(10))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkRunner.Run<CheckBenchmarks>(config);
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: tessera-bench generate|run|bdn … (see bench/README.md)");
        return 2;
}

static int RunHarness(string path)
{
    var workload = Workload.Read(path);
    var policies = workload.ToPolicies().ToList();
    var writePolicy = policies[0] with { Id = "bench-write" };

    var load = Stopwatch.StartNew();
    var index = new DecisionIndex(workload.RoleActions());
    index.Load(policies, 1);
    load.Stop();
    policies.Clear();
    // Memory per policy: the heap with the index, less the heap once the index is dropped (measured at the end).
    var withIndex = Heap();

    Verification.AssertAllAgree(index, workload);
    var requests = workload.Checks.Select(c => c.ToRequest()).ToArray();

    // Warm up, then single-threaded throughput.
    for (var i = 0; i < 5; i++)
        foreach (var request in requests) index.Check(request);
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var (decisions, seconds) = Throughput(requests, request => index.Check(request).Permit);
    allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

    // Per-decision latency: each decision timed alone (Stopwatch adds ~20 ns, included in the figures).
    var samples = new long[requests.Length];
    for (var i = 0; i < requests.Length; i++)
    {
        var start = Stopwatch.GetTimestamp();
        index.Check(requests[i]);
        samples[i] = Stopwatch.GetTimestamp() - start;
    }
    Array.Sort(samples);
    double Nanoseconds(long ticks) => ticks * 1e9 / Stopwatch.Frequency;

    // One incremental write (create, then delete), averaged.
    const int writes = 2000;
    var revision = 1L;
    var writeAllocated = GC.GetAllocatedBytesForCurrentThread();
    var write = Stopwatch.StartNew();
    for (var i = 0; i < writes / 2; i++)
    {
        index.Apply(++revision, [writePolicy]);
        index.Apply(++revision, [writePolicy with { State = PolicyState.Deleted }]);
    }
    write.Stop();
    writeAllocated = GC.GetAllocatedBytesForCurrentThread() - writeAllocated;

    var count = index.Count;
    var permitted = requests.Count(r => index.Check(r).Permit);
    index = null;
    var withoutIndex = Heap();

    // The plain hash-indexed evaluator over the same checks, the same way.
    var baseline = new HashIndexedEvaluator(workload);
    foreach (var request in requests) baseline.Check(request);
    var (baselineDecisions, baselineSeconds) = Throughput(requests, request => baseline.Check(request));

    Console.WriteLine($"workload          {Path.GetFileName(path)}: {count} policies, {requests.Length} checks ({permitted} permitted), all verified");
    Console.WriteLine($"load              {load.Elapsed.TotalSeconds:F2} s");
    Console.WriteLine($"memory            {(withIndex - withoutIndex) / 1024.0 / 1024.0:F1} MiB, {(withIndex - withoutIndex) / (double)count:F0} B per policy");
    Console.WriteLine($"throughput        {decisions / seconds:N0} decisions/s (single thread)");
    Console.WriteLine($"baseline          {baselineDecisions / baselineSeconds:N0} decisions/s (plain hash-indexed evaluator, same checks)");
    Console.WriteLine($"latency           p50 {Nanoseconds(samples[samples.Length / 2]):F0} ns, p99 {Nanoseconds(samples[samples.Length * 99 / 100]):F0} ns");
    Console.WriteLine($"allocation        {allocated / (double)decisions:F2} B per decision");
    Console.WriteLine($"incremental write {write.Elapsed.TotalMicroseconds / writes:F1} µs and {writeAllocated / writes:N0} B per write");
    return 0;
}

// Single-threaded decisions over about 3 s, cycling through the requests.
static (long Decisions, double Seconds) Throughput(DecisionRequest[] requests, Func<DecisionRequest, bool> decide)
{
    var watch = Stopwatch.StartNew();
    var decisions = 0L;
    while (watch.Elapsed < TimeSpan.FromSeconds(3))
    {
        foreach (var request in requests)
            decide(request);
        decisions += requests.Length;
    }
    return (decisions, watch.Elapsed.TotalSeconds);
}

static long Heap()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: true);
}
