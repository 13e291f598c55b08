using System.Globalization;
using System.Reflection;

namespace Tessera.Storage.Relational;

/// <summary>A store's schema scripts, embedded beside it as <c>Migrations/NNN_name.sql</c>, in the order of their number.</summary>
public static class SchemaScripts
{
    public static IEnumerable<(int Version, string Sql)> In(Assembly assembly)
    {
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }
}
