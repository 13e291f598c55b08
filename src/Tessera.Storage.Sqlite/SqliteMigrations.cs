namespace Tessera.Storage.Sqlite;

/// <summary>The schema scripts embedded beside the store, applied in the order of their number (<c>NNN_name.sql</c>).</summary>
internal static class SqliteMigrations
{
    public static IEnumerable<(int Version, string Sql)> All()
    {
        var assembly = typeof(SqliteMigrations).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }
}
