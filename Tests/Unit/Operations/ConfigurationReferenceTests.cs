using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// The configuration reference (<c>docs/configuration.md</c>, <c>## Reference</c>) against the options classes the hosts bind: every
/// bindable key is documented, nothing else is, and documented defaults equal the property initializers. The options
/// classes are found by reflection (every class with a <c>public const string SectionName</c> in the four product
/// assemblies), so a class added by anyone is checked without touching this test.
/// </summary>
/// <remarks>
/// Conventions of the table, enforced here so that the test can read it:
/// <list type="bullet">
/// <item>The first cell holds one or more keys, each in backticks (<c>`Auth:Write:BasicUsersFile`, `Auth:Read:BasicUsersFile`</c>).</item>
/// <item>List items are <c>&lt;i&gt;</c> (<c>Kafka:Topics:&lt;i&gt;</c>, <c>RemoteWrite:Endpoints:&lt;i&gt;:Url</c>);
/// dictionary keys are any other placeholder (<c>Kafka:Properties:&lt;librdkafka key&gt;</c>).</item>
/// <item>The default cell starts with the default in backticks (compared with the initializer: numbers, bools,
/// strings, enums and TimeSpans by value, so <c>`00:00:00.005`</c> matches 5 ms), or with <c>empty</c>, <c>none</c>
/// or <c>—</c> for a null/empty string, an empty collection, or no initializer; prose may follow either. A default that
/// is computed from other settings is written as <c>none (…)</c> when the property is null, or as the initializer's
/// value followed by the explanation (<c>`0` (= PermitsPerSecond)</c>).</item>
/// <item>The "Used by" cell names Silo, ApiHost or both. Not checked against the code: which host reads a key is
/// finer-grained than which host binds the class (both hosts bind <c>Sharding</c>, only silos act on
/// <c>Sharding:AutoShards</c>), so it stays the reference's claim, reviewed by people.</item>
/// </list>
/// </remarks>
public sealed class ConfigurationReferenceTests
{
    private static readonly string Root = RepositoryRoot();

    /// <summary>The configuration reference, relative to the repository root.</summary>
    public const string ReferencePath = "docs/configuration.md";

    /// <summary>Assemblies whose options classes the hosts bind (LoadTool and Benchmarks are not hosts).</summary>
    private static readonly Assembly[] ProductAssemblies =
    [
        typeof(Prometheus.RemoteWrite.IngestLimitsOptions).Assembly,
        typeof(GrainInterfaces.Sharding.ShardingOptions).Assembly,
        typeof(Hosting.Configuration.ClusterHostOptions).Assembly,
        typeof(Grains.ExemplarStorageOptions).Assembly,
        typeof(Silo.Storage.GrainStorageOptions).Assembly,
        typeof(ApiHost.Hosting.ApiHostOptions).Assembly,
        typeof(WriteApi.WriteApiOptions).Assembly,
    ];

    /// <summary>Keys the hosts read that belong to no options class of ours, with why they are documented.</summary>
    private static readonly Dictionary<string, string> HostKeys = new(StringComparer.Ordinal)
    {
        ["Urls"] = "ASP.NET Core's listen addresses: the API's port, and the silo's dashboard and /metrics port",
    };

    /// <summary>Static classes that hold a <c>SectionName</c> for code that reads a section binds no class of its own.</summary>
    private static bool IsOptionsClass(Type type) =>
        type is { IsClass: true, IsAbstract: false } && !type.IsGenericTypeDefinition &&
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true, FieldType: var t } && t == typeof(string);

    // DistinctBy: one class is one set of keys, whichever assembly lists it.
    public static IEnumerable<Type> OptionsTypes() =>
        ProductAssemblies.SelectMany(a => a.GetTypes()).Where(IsOptionsClass).DistinctBy(t => t.FullName)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    [Fact]
    public void The_options_classes_are_found()
    {
        var names = OptionsTypes().Select(t => t.Name).ToList();
        // A sample the reflection must see; a failure here means the discovery broke, not the reference.
        foreach (var expected in new[] { "ClusterHostOptions", "AzureTableClusteringOptions", "AzureCredentialOptions", "WalOptions",
                     "KafkaStreamOptions", "RemoteWriteOptions", "GrainStorageOptions", "FileGrainStorageOptions", "AuthOptions",
                     "ApiHostOptions", "WriteApiOptions", "QueryProxyOptions", "ShardingOptions" })
        {
            Assert.Contains(expected, names);
        }
        Assert.DoesNotContain("ForwardSharding", names); // a static class holding a section name, not an options class
    }

    [Fact]
    public void The_reference_table_lists_every_bindable_key_and_nothing_else()
    {
        var code = CodeKeys().Select(k => k.Key).Concat(HostKeys.Keys).ToHashSet(StringComparer.Ordinal);
        var documented = ReadmeRows().SelectMany(r => r.Keys).ToList();

        var missing = code.Except(documented).Order(StringComparer.Ordinal).ToList();
        var extra = documented.Except(code).Order(StringComparer.Ordinal).ToList();
        var twice = documented.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && twice.Count == 0,
            $"{ReferencePath} drifted from the options classes.\n" +
            (missing.Count > 0 ? $"Bindable but not documented ({missing.Count}):\n  {string.Join("\n  ", missing)}\n" : "") +
            (extra.Count > 0 ? $"Documented but bound by no options class ({extra.Count}):\n  {string.Join("\n  ", extra)}\n" : "") +
            (twice.Count > 0 ? $"Documented more than once:\n  {string.Join("\n  ", twice)}\n" : "") +
            "Options classes: " + string.Join(", ", OptionsTypes().Select(t => t.Name)));
    }

    [Fact]
    public void Documented_defaults_equal_the_property_initializers()
    {
        var code = CodeKeys().ToDictionary(k => k.Key, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var row in ReadmeRows())
        {
            foreach (var key in row.Keys)
            {
                if (!code.TryGetValue(key, out var bound)) continue; // host keys, or extras reported by the other test
                var problem = CheckDefault(bound, row.Default);
                if (problem is not null) problems.Add($"{key}: {problem} (the reference says: {row.Default})");
            }
        }
        Assert.True(problems.Count == 0, $"{ReferencePath} defaults drifted:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Every_row_says_which_host_uses_it()
    {
        var bad = ReadmeRows().Where(r => !Regex.IsMatch(r.UsedBy, @"^(Silo|ApiHost|both)( / (Silo|ApiHost))?$"))
            .Select(r => $"{string.Join(", ", r.Keys)}: '{r.UsedBy}'").ToList();
        Assert.True(bad.Count == 0, "\"Used by\" must be Silo, ApiHost or both:\n  " + string.Join("\n  ", bad));
    }

    /// <summary>Sections read by name outside the options classes would escape the reflection: none may be undocumented.</summary>
    [Fact]
    public void No_section_is_read_by_a_literal_name_outside_the_documented_keys()
    {
        var documented = ReadmeRows().SelectMany(r => r.Keys).ToList();
        var literal = new Regex("""(?:GetSection|GetValue<[^>]+>)\(\s*"([^"]+)"|Configuration\[\s*"([^"]+)"\s*\]""");
        var undocumented = new List<string>();
        foreach (var project in new[] { "Prometheus", "GrainInterfaces", "Hosting", "Grains", "Silo", "ApiHost" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                                     !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
            {
                foreach (Match m in literal.Matches(File.ReadAllText(file)))
                {
                    var key = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                    if (!documented.Any(d => d == key || d.StartsWith(key + ":", StringComparison.Ordinal)))
                    {
                        undocumented.Add($"{Path.GetRelativePath(Root, file)}: \"{key}\"");
                    }
                }
            }
        }
        Assert.True(undocumented.Count == 0,
            $"Configuration read by a literal name that {ReferencePath} does not list:\n  " + string.Join("\n  ", undocumented));
    }

    // ---- the keys the code binds ----

    public sealed record BoundKey(string Key, Type Type, bool HasDefault, object? Default);

    /// <summary>Every key <c>ConfigurationBinder</c> can set on the options classes, with the initializer's value.</summary>
    public static IEnumerable<BoundKey> CodeKeys() =>
        OptionsTypes().SelectMany(t => Walk((string)t.GetField("SectionName")!.GetRawConstantValue()!, t, Instance(t), depth: 0));

    private static IEnumerable<BoundKey> Walk(string prefix, Type type, object? instance, int depth)
    {
        if (depth > 8) throw new InvalidOperationException($"{prefix}: options nested too deep (a cycle?)");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                     .OrderBy(p => p.MetadataToken))
        {
            var propertyType = property.PropertyType;
            var simple = IsSimple(propertyType);
            var settable = property.SetMethod is { IsPublic: true };
            // The binder sets public setters, and fills get-only collections and objects in place; a get-only simple
            // property is computed (IsConfigured, EffectiveProvider…) and not configuration.
            if (!settable && simple) continue;
            var key = $"{prefix}:{property.Name}";
            var value = instance is null ? null : property.GetValue(instance);
            if (simple)
            {
                yield return new BoundKey(key, propertyType, instance is not null, value);
                continue;
            }
            if (DictionaryValueType(propertyType) is { } valueType)
            {
                foreach (var k in Element($"{key}:<key>", valueType, depth)) yield return k;
            }
            else if (ElementType(propertyType) is { } elementType)
            {
                foreach (var k in Element($"{key}:<i>", elementType, depth)) yield return k;
            }
            else
            {
                foreach (var k in Walk(key, propertyType, value ?? Instance(propertyType), depth + 1)) yield return k;
            }
        }
    }

    /// <summary>A list item or dictionary value: no default of its own; an object's members default as a new one's do.</summary>
    private static IEnumerable<BoundKey> Element(string key, Type type, int depth) =>
        IsSimple(type) ? [new BoundKey(key, type, false, null)] : Walk(key, type, Instance(type), depth + 1);

    private static object? Instance(Type type) =>
        type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;

    private static bool IsSimple(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t.IsPrimitive || t.IsEnum || t == typeof(decimal) ||
               (t != typeof(object) && TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string)));
    }

    private static Type? DictionaryValueType(Type type) =>
        new[] { type }.Concat(type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d &&
                                 (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() :
        typeof(IEnumerable).IsAssignableFrom(type)
            ? new[] { type }.Concat(type.GetInterfaces())
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            : null;

    // ---- the reference table (docs/configuration.md) ----

    public sealed record Row(IReadOnlyList<string> Keys, string Default, string UsedBy, string Line);

    public static IReadOnlyList<Row> ReadmeRows()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, ReferencePath));
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "## Reference");
        Assert.True(start >= 0, $"{ReferencePath} has no '## Reference' section");
        var tableStart = Array.FindIndex(lines, start, l => l.StartsWith("| Key", StringComparison.Ordinal));
        Assert.True(tableStart > start, $"{ReferencePath} ## Reference has no table whose first column is 'Key'");
        var next = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        Assert.True(next < 0 || tableStart < next, "the Key table must be inside ## Reference");

        var rows = new List<Row>();
        for (var i = tableStart + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = Regex.Split(lines[i].Trim().Trim('|'), @"(?<!\\)\|").Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length >= 4, $"{ReferencePath} line {i + 1}: expected | Key | Default | Used by | Meaning |");
            var keys = Regex.Matches(cells[0], "`([^`]+)`").Select(m => Normalize(m.Groups[1].Value)).ToList();
            Assert.True(keys.Count > 0, $"{ReferencePath} line {i + 1}: no `key` in the first cell");
            rows.Add(new Row(keys, cells[1], cells[2], lines[i]));
        }
        return rows;
    }

    /// <summary><c>&lt;i&gt;</c> stays (list index); any other placeholder is a dictionary key.</summary>
    private static string Normalize(string key) => Regex.Replace(key, "<([^>]*)>", m => m.Groups[1].Value == "i" ? "<i>" : "<key>");

    // ---- defaults ----

    private static string? CheckDefault(BoundKey bound, string cell)
    {
        var text = cell.Trim();
        var isEmpty = Regex.IsMatch(text, @"^(empty|none|—)\b", RegexOptions.IgnoreCase) || text == "—";
        var literal = Regex.Match(text, "^`([^`]*)`");
        if (!isEmpty && !literal.Success)
        {
            return "the default cell must start with the default in backticks, or with empty / none / —";
        }
        if (!bound.HasDefault)
        {
            return isEmpty ? null : "a list item or dictionary entry has no default: write none or —";
        }
        var value = bound.Default;
        if (isEmpty)
        {
            return value is null || value is string { Length: 0 } || value is ICollection { Count: 0 }
                ? null
                : $"documented as empty, but the initializer is {Format(value)}";
        }
        var documented = literal.Groups[1].Value;
        if (value is null) return $"documented as `{documented}`, but the initializer is null (write none (…) for a computed default)";
        var type = Nullable.GetUnderlyingType(bound.Type) ?? bound.Type;
        object? parsed;
        try
        {
            parsed = type == typeof(string) ? documented
                : type == typeof(bool) ? bool.Parse(documented)
                : type == typeof(TimeSpan) ? TimeSpan.Parse(documented, CultureInfo.InvariantCulture)
                : type.IsEnum ? Enum.Parse(type, documented, ignoreCase: true)
                : Convert.ChangeType(documented, type, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidCastException)
        {
            return $"`{documented}` is not a {type.Name}";
        }
        return Equals(parsed, value) ? null : $"documented `{documented}`, initializer {Format(value)}";
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => $"\"{s}\"",
        ICollection c => $"a collection of {c.Count}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found");
    }
}
