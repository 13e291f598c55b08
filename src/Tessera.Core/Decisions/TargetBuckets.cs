using System.Collections.Concurrent;

namespace Tessera.Decisions;

/// <summary>The policies of one target account, by service: few per account, so found by a short ordinal scan.</summary>
internal sealed class AccountBuckets
{
    private ServiceBuckets[] _services = [];

    public ServiceBuckets[] Services => Volatile.Read(ref _services);

    public ServiceBuckets? Find(string? serviceName)
    {
        foreach (var service in Services)
        {
            if (string.Equals(service.Name, serviceName, StringComparison.Ordinal))
                return service;
        }
        return null;
    }

    /// <summary>Writer side.</summary>
    public ServiceBuckets GetOrAdd(string serviceName)
    {
        if (Find(serviceName) is { } existing)
            return existing;
        var added = new ServiceBuckets(serviceName);
        Volatile.Write(ref _services, [.. _services, added]);
        return added;
    }
}

/// <summary>The policies of one target service in one account: those naming no instance, and those naming one, by instance.</summary>
internal sealed class ServiceBuckets(string name)
{
    private CompiledPolicy[] _wide = [];
    private ConcurrentDictionary<string, CompiledPolicy[]>? _byInstance;
    private ConcurrentDictionary<string, CompiledPolicy[]>.AlternateLookup<ReadOnlySpan<char>> _byInstanceSpan;

    public string Name { get; } = name;

    public CompiledPolicy[] Wide => Volatile.Read(ref _wide);

    public CompiledPolicy[]? ForInstance(string? instance)
    {
        if (instance is null || Volatile.Read(ref _byInstance) is null)
            return null;
        return _byInstanceSpan.TryGetValue(instance.AsSpan(), out var policies) ? policies : null;
    }

    /// <summary>Writer side: the array for an instance (null = the wide one), replaced whole.</summary>
    public CompiledPolicy[] Get(string? instance) =>
        instance is null ? Wide : _byInstance?.GetValueOrDefault(instance) ?? [];

    public void Set(string? instance, CompiledPolicy[] policies)
    {
        if (instance is null)
        {
            Volatile.Write(ref _wide, policies);
            return;
        }
        if (_byInstance is null)
        {
            var byInstance = new ConcurrentDictionary<string, CompiledPolicy[]>(StringComparer.Ordinal);
            _byInstanceSpan = byInstance.GetAlternateLookup<ReadOnlySpan<char>>();
            Volatile.Write(ref _byInstance, byInstance);
        }
        if (policies.Length == 0)
            _byInstance.TryRemove(instance, out _);
        else
            _byInstance[instance] = policies;
    }
}
