using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// What a remote-write reader needs from one protocol version's series: its labels and exemplars as text (null where
/// the sender's bytes are not valid UTF-8), fed into a <see cref="LabelsBuilder"/>, and a description for error
/// messages. The rules themselves are <see cref="SeriesValidation"/>'s, the same for every version.
/// </summary>
internal interface ISeriesSource<in TSeries>
{
    /// <summary>Adds the series' labels to <paramref name="labels"/>; false with a reason if they cannot be read.</summary>
    bool TryReadLabels(TSeries series, LabelsBuilder labels, out string error);

    /// <summary>The series' labels as sent, for an error message (lossy, in the sender's order).</summary>
    string Describe(TSeries series);

    int ExemplarCount(TSeries series);

    bool TryReadExemplar(TSeries series, int index, LabelsBuilder labels, out double value, out long timestampMs,
        out string error);

    int SampleCount(TSeries series);

    /// <summary>The series' float samples, in the order sent.</summary>
    Model.Sample[] ReadSamples(TSeries series);

    int HistogramCount(TSeries series);

    /// <summary>The series' native-histogram samples, in the order sent.</summary>
    NativeHistogram[] ReadHistograms(TSeries series);

    /// <summary>The start timestamp of each float sample (remote write 2.0), or null when the version has none.</summary>
    long[]? ReadStartTimestamps(TSeries series);
}

/// <summary>
/// Prometheus' label rules for a remote-write series and the regrouping into a <see cref="DecodedWrite"/>, shared by
/// the 1.0 and 2.0 readers so both refuse the same series with the same reasons.
/// </summary>
internal static class SeriesValidation
{
    public const string MissingMetricName = "missing metric name (label __name__)";
    public const string EmptyLabelName = "label with empty name";
    public const string InvalidLabelName = "label name is not valid UTF-8";
    public const string ExemplarPrefix = "exemplar: ";

    public static string InvalidLabelValue(string name) => $"value of label \"{name}\" is not valid UTF-8";

    public static string DuplicateLabelName(string name) => $"duplicate label name \"{name}\"";

    /// <summary>Why a series is refused for this native histogram of it (<see cref="HistogramValidation"/>), or null.</summary>
    public static string? HistogramError(NativeHistogram histogram) =>
        HistogramValidation.Error(histogram) is { } error
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"native histogram at timestamp {histogram.TimestampMs}: {error}")
            : null;

    public static string LabelNameTooLong(string name, int max) =>
        $"label name \"{Abbreviate(name)}\" is {name.Length} characters long, more than the {max} allowed (Ingest:MaxLabelNameLength)";

    public static string LabelValueTooLong(string name, int length, int max) =>
        $"value of label \"{Abbreviate(name)}\" is {length} characters long, more than the {max} allowed (Ingest:MaxLabelValueLength)";

    public static string LegacyMetricName(string name) =>
        $"metric name \"{Abbreviate(name)}\" is not a legacy Prometheus name ({LegacyNames.MetricNamePattern}; " +
        "Ingest:NameValidation is Legacy)";

    public static string LegacyLabelName(string name) =>
        $"label name \"{Abbreviate(name)}\" is not a legacy Prometheus name ({LegacyNames.LabelNamePattern}; " +
        "Ingest:NameValidation is Legacy)";

    /// <summary>
    /// Why a series' names are not valid under <see cref="NameValidationScheme.Legacy"/> (the metric name, then the
    /// label names in order), or null when they are or the scheme is <see cref="NameValidationScheme.Utf8"/> (every
    /// name that got this far is non-empty valid UTF-8).
    /// </summary>
    public static string? NameSchemeError(LabelSet series, SeriesLimits limits)
    {
        if (limits.NameValidation != NameValidationScheme.Legacy) return null;
        if (!LegacyNames.IsValidMetricName(series.MetricNameOrEmpty)) return LegacyMetricName(series.MetricNameOrEmpty);
        for (var i = 0; i < series.Count; i++)
        {
            if (!LegacyNames.IsValidLabelName(series[i].Name)) return LegacyLabelName(series[i].Name);
        }
        return null;
    }

    /// <summary>Why <paramref name="metricName"/> cannot name a metric grain, or null when it can.</summary>
    public static string? MetricNameError(string metricName, SeriesLimits limits)
    {
        if (metricName.AsSpan().IndexOfAny('.', '\\') >= 0 && BlobNameError(metricName) is { } blobError) return blobError;
        if (metricName.Length > limits.MaxMetricNameLength)
        {
            return $"metric name is {metricName.Length} characters long, more than the {limits.MaxMetricNameLength} " +
                   "allowed (Ingest:MaxMetricNameLength: the name keys the grain that stores its exemplars)";
        }
        if (metricName.Length > SeriesLimits.MaxMetricNameSlashes)
        {
            var slashes = metricName.AsSpan().Count('/');
            if (slashes > SeriesLimits.MaxMetricNameSlashes)
            {
                return $"metric name holds {slashes} '/', more than the {SeriesLimits.MaxMetricNameSlashes} its grain's " +
                       $"blob name may (Azure Blob names have at most {SeriesLimits.AzureBlobNameSegments} segments)";
            }
        }
        return null;
    }

    /// <summary>
    /// Why a UTF-8 metric name's grain blob (<c>ring-metric/&lt;name&gt;.json</c>) would not be its own on Azure Blob
    /// storage, or null: the service reads a blob name as a URL path, so a '\' becomes '/' and a "." or ".." segment
    /// before a '/' is folded away (<c>a/../b</c> would share <c>b</c>'s blob; checked with Azurite).
    /// </summary>
    private static string? BlobNameError(string metricName)
    {
        if (metricName.Contains('\\'))
        {
            return $"metric name \"{Abbreviate(metricName)}\" holds '\\', which Azure Blob storage reads as '/' in the name " +
                   "of its grain's blob (another metric's)";
        }
        var rest = metricName.AsSpan();
        for (var slash = rest.IndexOf('/'); slash >= 0; slash = rest.IndexOf('/'))
        {
            if (rest[..slash] is "." or "..")
            {
                return $"metric name \"{Abbreviate(metricName)}\" has a \"{rest[..slash]}\" path segment, which Azure Blob " +
                       "storage folds away in the name of its grain's blob (another metric's)";
            }
            rest = rest[(slash + 1)..];
        }
        return null;
    }

    /// <summary>Characters of a name or value an error message quotes; the rest is summarised.</summary>
    private const int QuotedLength = 128;

    /// <summary>
    /// <paramref name="text"/> for an error message: at most <see cref="QuotedLength"/> characters of it, so an answer
    /// never echoes a huge label back.
    /// </summary>
    public static string Abbreviate(string text) =>
        text.Length <= QuotedLength ? text : $"{text.AsSpan(0, QuotedLength)}…({text.Length} characters)";

    /// <summary>A label set as <see cref="LabelSet.ToString"/> writes it, long names and values abbreviated.</summary>
    public static string Describe(LabelSet labels)
    {
        var abbreviated = new Model.Label[labels.Count];
        for (var i = 0; i < abbreviated.Length; i++)
        {
            abbreviated[i] = new Model.Label(Abbreviate(labels[i].Name), Abbreviate(labels[i].Value));
        }
        return LabelSet.FromOwnedArray(abbreviated).ToString();
    }

    public static DecodedWrite Read<TSeries, TSource>(RepeatedField<TSeries> timeseries, TSource source,
        SeriesLimits? limits = null)
        where TSource : ISeriesSource<TSeries>
    {
        limits ??= SeriesLimits.Default;
        var result = new DecodedWrite();
        var labels = new LabelsBuilder(limits);
        foreach (var ts in timeseries)
        {
            result.SeriesCount++;
            labels.Reset(dropEmptyValues: false);
            if (!source.TryReadLabels(ts, labels, out var error) || !labels.TryBuild(out var series, out error))
            {
                result.Invalid.Add(new InvalidSeries(source.Describe(ts), error));
                continue;
            }
            var metricName = series.MetricNameOrEmpty;
            if (metricName.Length == 0)
            {
                result.Invalid.Add(new InvalidSeries(series.ToString(), MissingMetricName));
                continue;
            }
            if ((NameSchemeError(series, limits) ?? MetricNameError(metricName, limits)) is { } nameError)
            {
                result.Invalid.Add(new InvalidSeries(Describe(series), nameError));
                continue;
            }
            Model.Exemplar[]? exemplars = null;
            var exemplarCount = source.ExemplarCount(ts);
            if (exemplarCount > 0)
            {
                exemplars = new Model.Exemplar[exemplarCount];
                var ok = true;
                for (var i = 0; i < exemplars.Length; i++)
                {
                    // Prometheus drops empty-valued exemplar labels (headAppender.AppendExemplar: Labels.WithoutEmpty()).
                    labels.Reset(dropEmptyValues: true);
                    if (!source.TryReadExemplar(ts, i, labels, out var value, out var timestamp, out error) ||
                        !labels.TryBuild(out var exemplarLabels, out error))
                    {
                        ok = false;
                        break;
                    }
                    exemplars[i] = new Model.Exemplar(exemplarLabels, value, timestamp, HasTimestamp: timestamp != 0);
                }
                if (!ok)
                {
                    result.Invalid.Add(new InvalidSeries(series.ToString(), ExemplarPrefix + error));
                    continue;
                }
            }

            var histograms = source.HistogramCount(ts) == 0 ? null : source.ReadHistograms(ts);
            if (histograms is not null && histograms.Select(HistogramError).FirstOrDefault(e => e is not null) is { } histogramError)
            {
                result.Invalid.Add(new InvalidSeries(series.ToString(), histogramError));
                continue;
            }
            var samples = source.SampleCount(ts) == 0 ? [] : source.ReadSamples(ts);
            result.SampleCount += samples.Length;
            result.HistogramCount += histograms?.Length ?? 0;
            if (samples.Length > 0 || exemplars is not null || histograms is not null)
            {
                result.Forward.Add(new ForwardSeries(series, samples, exemplars ?? [], histograms,
                    samples.Length == 0 ? null : source.ReadStartTimestamps(ts)));
            }
            if (exemplars is not null)
            {
                result.ExemplarCount += exemplars.Length;
                if (!result.ExemplarsByMetric.TryGetValue(metricName, out var list))
                {
                    result.ExemplarsByMetric[metricName] = list = [];
                }
                list.Add(new SeriesExemplars(series, exemplars, NativeHistogram: histograms is not null));
            }
        }
        return result;
    }
}

/// <summary>
/// Collects one label set, applying the per-label rules as labels arrive and the set rules in
/// <see cref="TryBuild"/>. Reused across the series of a request.
/// </summary>
internal sealed class LabelsBuilder(SeriesLimits limits)
{
    private Model.Label[] _buffer = new Model.Label[16];
    private int _count;
    private bool _dropEmptyValues;

    public void Reset(bool dropEmptyValues)
    {
        _count = 0;
        _dropEmptyValues = dropEmptyValues;
    }

    /// <summary>
    /// Adds a label. <paramref name="name"/> or <paramref name="value"/> is null when the sender's bytes were not
    /// valid UTF-8.
    /// </summary>
    public bool TryAdd(string? name, string? value, out string error)
    {
        if (name is null)
        {
            error = SeriesValidation.InvalidLabelName;
            return false;
        }
        if (name.Length == 0)
        {
            error = SeriesValidation.EmptyLabelName;
            return false;
        }
        if (value is null)
        {
            error = SeriesValidation.InvalidLabelValue(name);
            return false;
        }
        if (name.Length > limits.MaxLabelNameLength)
        {
            error = SeriesValidation.LabelNameTooLong(name, limits.MaxLabelNameLength);
            return false;
        }
        if (value.Length > limits.MaxLabelValueLength)
        {
            error = SeriesValidation.LabelValueTooLong(name, value.Length, limits.MaxLabelValueLength);
            return false;
        }
        error = "";
        if (_dropEmptyValues && value.Length == 0) return true;
        if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _buffer[_count++] = new Model.Label(name, value);
        return true;
    }

    /// <summary>The labels sorted by name; false if a name repeats.</summary>
    public bool TryBuild(out LabelSet labels, out string error)
    {
        labels = LabelSet.FromOwnedArray(_buffer.AsSpan(0, _count).ToArray());
        for (var i = 1; i < labels.Count; i++)
        {
            if (string.Equals(labels[i - 1].Name, labels[i].Name, StringComparison.Ordinal))
            {
                error = SeriesValidation.DuplicateLabelName(labels[i].Name);
                labels = LabelSet.Empty;
                return false;
            }
        }
        error = "";
        return true;
    }
}
