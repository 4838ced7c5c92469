using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>Prometheus' <c>otlp.translation_strategy</c> values.</summary>
public enum OtlpTranslationStrategy
{
    /// <summary>Names escaped to <c>[a-zA-Z0-9_:]</c>, unit and type suffixes added (Prometheus' default).</summary>
    UnderscoreEscapingWithSuffixes,

    /// <summary>Names escaped, no suffixes.</summary>
    UnderscoreEscapingWithoutSuffixes,

    /// <summary>UTF-8 names kept, suffixes added: needs <c>Ingest:NameValidation</c> = <c>Utf8</c> (the default).</summary>
    NoUTF8EscapingWithSuffixes,

    /// <summary>Names as they are: needs <c>Ingest:NameValidation</c> = <c>Utf8</c> (the default).</summary>
    NoTranslation,
}

/// <summary>
/// Configuration section <c>Otlp</c>: how <c>POST /api/v1/otlp/v1/metrics</c> turns OTLP metrics into Prometheus series,
/// with the options of Prometheus 3's <c>otlp:</c> configuration block (same names in PascalCase, same defaults).
/// </summary>
public sealed class OtlpOptions : IValidatableObject
{
    public const string SectionName = "Otlp";

    /// <summary>
    /// Prometheus' <c>translation_strategy</c>. The two that keep UTF-8 names are refused at start when
    /// <c>Ingest:NameValidation</c> is <c>Legacy</c>, as Prometheus refuses them when UTF-8 names are off
    /// (<see cref="Utf8StrategyError"/>).
    /// </summary>
    public OtlpTranslationStrategy TranslationStrategy { get; set; } = OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes;

    /// <summary>Resource attributes copied onto every series of the resource as labels (<c>promote_resource_attributes</c>).</summary>
    public List<string> PromoteResourceAttributes { get; set; } = [];

    /// <summary>Copy every resource attribute but those in <see cref="IgnoreResourceAttributes"/> (<c>promote_all_resource_attributes</c>).</summary>
    public bool PromoteAllResourceAttributes { get; set; }

    /// <summary>With <see cref="PromoteAllResourceAttributes"/>: the attributes not copied (<c>ignore_resource_attributes</c>).</summary>
    public List<string> IgnoreResourceAttributes { get; set; } = [];

    /// <summary>Keep <c>service.name</c>, <c>service.namespace</c> and <c>service.instance.id</c> on <c>target_info</c> too.</summary>
    public bool KeepIdentifyingResourceAttributes { get; set; }

    /// <summary>Add <c>otel_scope_name</c>, <c>otel_scope_version</c>, <c>otel_scope_schema_url</c> and <c>otel_scope_*</c> attribute labels.</summary>
    public bool PromoteScopeMetadata { get; set; }

    /// <summary>Prefix <c>key</c> to label names that start with a single <c>_</c> (Prometheus' default, for backward compatibility).</summary>
    public bool LabelNameUnderscoreSanitization { get; set; } = true;

    /// <summary>Keep runs of <c>_</c> in translated label names instead of collapsing them (Prometheus' default).</summary>
    public bool LabelNamePreserveMultipleUnderscores { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PromoteAllResourceAttributes && PromoteResourceAttributes.Count > 0)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(PromoteAllResourceAttributes)} and " +
                $"{SectionName}:{nameof(PromoteResourceAttributes)} cannot both be set.");
        }
        if (!PromoteAllResourceAttributes && IgnoreResourceAttributes.Count > 0)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(IgnoreResourceAttributes)} needs " +
                $"{SectionName}:{nameof(PromoteAllResourceAttributes)} = true.");
        }
        foreach (var error in AttributeErrors(nameof(PromoteResourceAttributes), PromoteResourceAttributes)
                     .Concat(AttributeErrors(nameof(IgnoreResourceAttributes), IgnoreResourceAttributes)))
        {
            yield return new ValidationResult(error);
        }
    }

    private static IEnumerable<string> AttributeErrors(string key, List<string> attributes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i].Trim();
            if (attribute.Length == 0) yield return $"{SectionName}:{key}:{i} is empty.";
            else if (!seen.Add(attribute)) yield return $"{SectionName}:{key}:{i} repeats \"{attribute}\".";
        }
    }

    /// <summary>Whether <see cref="TranslationStrategy"/> keeps UTF-8 names (otlptranslator's <c>!ShouldEscape()</c>).</summary>
    public bool KeepsUtf8Names =>
        TranslationStrategy is OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes or OtlpTranslationStrategy.NoTranslation;

    /// <summary>
    /// Why the strategy cannot run with <paramref name="names"/>, or null: the UTF-8 strategies need UTF-8 names
    /// (Prometheus: "OTLP translation strategy … is not allowed when UTF8 is disabled").
    /// </summary>
    public string? Utf8StrategyError(Model.NameValidationScheme names) =>
        KeepsUtf8Names && names == Model.NameValidationScheme.Legacy
            ? $"{SectionName}:{nameof(TranslationStrategy)} is {TranslationStrategy}, which keeps UTF-8 metric and label " +
              "names, and Ingest:NameValidation is Legacy (as Prometheus, the UTF-8 strategies are not allowed when UTF-8 " +
              $"names are off): use {OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes} (the default) or " +
              $"{OtlpTranslationStrategy.UnderscoreEscapingWithoutSuffixes}, or Ingest:NameValidation = Utf8."
            : null;

    public OtlpTranslationSettings ToSettings() => new()
    {
        AddMetricSuffixes = TranslationStrategy is OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes
            or OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes,
        AllowUtf8 = KeepsUtf8Names,
        PromoteResourceAttributes = PromoteResourceAttributes.Select(a => a.Trim()).ToHashSet(StringComparer.Ordinal),
        PromoteAllResourceAttributes = PromoteAllResourceAttributes,
        IgnoreResourceAttributes = IgnoreResourceAttributes.Select(a => a.Trim()).ToHashSet(StringComparer.Ordinal),
        KeepIdentifyingResourceAttributes = KeepIdentifyingResourceAttributes,
        PromoteScopeMetadata = PromoteScopeMetadata,
        LabelNameUnderscoreSanitization = LabelNameUnderscoreSanitization,
        LabelNamePreserveMultipleUnderscores = LabelNamePreserveMultipleUnderscores,
    };
}

/// <summary>What <see cref="OtlpTranslator"/> needs of <see cref="OtlpOptions"/>, checked and ready.</summary>
public sealed record OtlpTranslationSettings
{
    public static readonly OtlpTranslationSettings Default = new();

    public bool AddMetricSuffixes { get; init; } = true;

    /// <summary>Metric and label names kept as sent (the UTF-8 strategies), not escaped to legacy characters.</summary>
    public bool AllowUtf8 { get; init; }
    public IReadOnlySet<string> PromoteResourceAttributes { get; init; } = new HashSet<string>();
    public bool PromoteAllResourceAttributes { get; init; }
    public IReadOnlySet<string> IgnoreResourceAttributes { get; init; } = new HashSet<string>();
    public bool KeepIdentifyingResourceAttributes { get; init; }
    public bool PromoteScopeMetadata { get; init; }
    public bool LabelNameUnderscoreSanitization { get; init; } = true;
    public bool LabelNamePreserveMultipleUnderscores { get; init; } = true;

    /// <summary>
    /// Half of it is the step of <c>target_info</c> samples between a resource's earliest and latest point, so that a
    /// query finds one wherever it looks (Prometheus uses its query lookback delta, 5 minutes by default).
    /// </summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);
}
