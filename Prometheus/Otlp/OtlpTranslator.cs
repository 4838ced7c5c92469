using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Otlp.Proto;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>
/// Turns an OTLP metrics export request into Prometheus series as Prometheus 3's OTLP receiver does
/// (<c>storage/remote/otlptranslator/prometheusremotewrite</c>):
/// <list type="bullet">
/// <item>gauges and non-monotonic sums → one gauge sample per point; monotonic sums → a counter (<c>_total</c> under the
/// suffix strategy) with the point's exemplars;</item>
/// <item>histograms → <c>_sum</c> (when set), <c>_count</c>, cumulative <c>_bucket{le="…"}</c> series up to
/// <c>le="+Inf"</c>; each exemplar goes on the bucket its value falls in;</item>
/// <item>summaries → <c>_sum</c>, <c>_count</c> and one series per quantile (<c>quantile="…"</c>);</item>
/// <item>exponential histograms would be native histograms, which this system does not forward: their points are
/// rejected and counted, as are sums and histograms of delta temporality (refused by Prometheus without a feature
/// flag);</item>
/// <item>resource attributes: <c>service.namespace</c>/<c>service.name</c> → <c>job</c>, <c>service.instance.id</c> →
/// <c>instance</c>, the others on a <c>target_info</c> series (one sample every half lookback delta from the resource's
/// earliest to its latest point), and the promoted ones on every series;</item>
/// <item>attribute keys → label names by <see cref="OtlpNames"/> (kept as they are under the UTF-8 strategies); keys that
/// collide after translation have their values joined with <c>;</c>; empty values drop the label; a point flagged "no
/// recorded value" becomes a staleness marker.</item>
/// </list>
/// Exemplars carry <c>trace_id</c> and <c>span_id</c> in lower-case hex, and their filtered attributes (keys as sent)
/// when everything fits in Prometheus' 128 runes; timestamps go from nanoseconds to milliseconds.
/// </summary>
public static class OtlpTranslator
{
    public static OtlpTranslation Translate(ExportMetricsServiceRequest request, OtlpTranslationSettings? settings = null)
    {
        var converter = new Converter(settings ?? OtlpTranslationSettings.Default);
        foreach (var resourceMetrics in request.ResourceMetrics) converter.Add(resourceMetrics);
        return converter.Result;
    }

    /// <summary>Prometheus' staleness marker: the NaN a point flagged "no recorded value" is stored as.</summary>
    public static readonly double StaleNaN = BitConverter.Int64BitsToDouble(0x7ff0000000000002);

    internal const int MaxExemplarRunes = 128;

    /// <summary>At most this many <c>target_info</c> steps per resource (a point at time 0 would otherwise ask for millions).</summary>
    internal const int MaxTargetInfoSteps = 1000;

    private const string MetricName = "__name__";
    private const string ServiceName = "service.name";
    private const string ServiceNamespace = "service.namespace";
    private const string ServiceInstanceId = "service.instance.id";
    private const string TargetInfo = "target_info";
    private static readonly string[] IdentifyingAttributes = [ServiceNamespace, ServiceName, ServiceInstanceId];
    private static readonly string[] ReservedAttributes = [MetricName];

    private sealed class Converter(OtlpTranslationSettings settings)
    {
        public OtlpTranslation Result { get; } = new();

        private readonly Dictionary<string, (bool Ok, string Name, string Error)> _labelNames = new(StringComparer.Ordinal);
        private readonly HashSet<(string Labels, long Timestamp)> _seenTargetInfo = [];

        // The resource's and the scope's labels, computed once per resource and scope.
        private string _job = "";
        private string _instance = "";
        private Dictionary<string, string> _promoted = new(StringComparer.Ordinal);
        private Dictionary<string, string>? _scopeLabels;

        public void Add(ResourceMetrics resourceMetrics)
        {
            var attributes = resourceMetrics.Resource?.Attributes ?? new RepeatedField<KeyValue>();
            if (!TrySetResource(attributes, out var error))
            {
                foreach (var scope in resourceMetrics.ScopeMetrics) RejectAll(scope.Metrics, OtlpRejection.InvalidLabelName, error);
                return;
            }
            ulong earliest = ulong.MaxValue, latest = 0;
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                if (!TrySetScope(scopeMetrics, out error))
                {
                    RejectAll(scopeMetrics.Metrics, OtlpRejection.InvalidLabelName, error);
                    continue;
                }
                foreach (var metric in scopeMetrics.Metrics)
                {
                    foreach (var time in PointTimes(metric))
                    {
                        earliest = Math.Min(earliest, time);
                        latest = Math.Max(latest, time);
                    }
                    AddMetric(metric);
                }
            }
            if (earliest != ulong.MaxValue) AddTargetInfo(attributes, earliest, latest);
        }

        private bool TrySetResource(RepeatedField<KeyValue> attributes, out string error)
        {
            error = "";
            _job = "";
            _instance = "";
            _promoted = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Find(attributes, ServiceName) is { } serviceName)
            {
                _job = OtlpValues.AsString(serviceName.Value);
                if (Find(attributes, ServiceNamespace) is { } serviceNamespace) _job = OtlpValues.AsString(serviceNamespace.Value) + "/" + _job;
            }
            if (Find(attributes, ServiceInstanceId) is { } instance) _instance = OtlpValues.AsString(instance.Value);
            foreach (var attribute in attributes)
            {
                var promote = settings.PromoteAllResourceAttributes
                    ? !settings.IgnoreResourceAttributes.Contains(attribute.Key)
                    : settings.PromoteResourceAttributes.Contains(attribute.Key);
                if (!promote) continue;
                if (!TryLabelName(attribute.Key, out var name, out error)) return false;
                Set(_promoted, name, OtlpValues.AsString(attribute.Value));
            }
            return true;
        }

        private bool TrySetScope(ScopeMetrics scopeMetrics, out string error)
        {
            error = "";
            _scopeLabels = null;
            var scope = scopeMetrics.Scope;
            if (!settings.PromoteScopeMetadata || scope is null || scope.Name.Length == 0) return true;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var attribute in scope.Attributes)
            {
                if (!TryLabelName("otel_scope_" + attribute.Key, out var name, out error)) return false;
                Set(labels, name, OtlpValues.AsString(attribute.Value));
            }
            Set(labels, "otel_scope_name", scope.Name);
            Set(labels, "otel_scope_version", scope.Version);
            Set(labels, "otel_scope_schema_url", scopeMetrics.SchemaUrl);
            _scopeLabels = labels;
            return true;
        }

        private void AddMetric(Metric metric)
        {
            var kind = Kind(metric);
            if (kind == OtlpMetricKind.Unknown)
            {
                Result.AddError($"metric \"{metric.Name}\" has no data of a supported type: dropped");
                return;
            }
            if (Temporality(metric) is { } temporality && temporality != AggregationTemporality.Cumulative)
            {
                RejectAll(metric, OtlpRejection.DeltaTemporality,
                    $"invalid temporality and type combination for metric \"{metric.Name}\" ({TemporalityName(temporality)}: only cumulative is accepted)");
                return;
            }
            string name;
            if (settings.AllowUtf8)
            {
                // Kept as sent: an empty or invalid name is refused with the series by the ingest rules.
                name = OtlpNames.BuildUtf8MetricName(metric.Name, metric.Unit, kind, settings.AddMetricSuffixes);
            }
            else if (!OtlpNames.TryBuildMetricName(metric.Name, metric.Unit, kind, settings.AddMetricSuffixes, out name, out var error))
            {
                RejectAll(metric, OtlpRejection.InvalidMetricName, error);
                return;
            }
            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    // As Prometheus: gauge exemplars are not kept.
                    foreach (var point in metric.Gauge.DataPoints) AddNumberPoint(point, name, withExemplars: false);
                    break;
                case Metric.DataOneofCase.Sum:
                    foreach (var point in metric.Sum.DataPoints) AddNumberPoint(point, name, withExemplars: true);
                    break;
                case Metric.DataOneofCase.Histogram:
                    foreach (var point in metric.Histogram.DataPoints) AddHistogramPoint(point, name);
                    break;
                case Metric.DataOneofCase.Summary:
                    foreach (var point in metric.Summary.DataPoints) AddSummaryPoint(point, name);
                    break;
                case Metric.DataOneofCase.ExponentialHistogram:
                    RejectAll(metric, OtlpRejection.ExponentialHistogram,
                        $"exponential histogram \"{metric.Name}\" dropped: it would be a native histogram, and native histograms are not forwarded");
                    break;
            }
        }

        private void AddNumberPoint(NumberDataPoint point, string name, bool withExemplars)
        {
            var index = Result.AddPoint();
            if (!TryBaseLabels(point.Attributes, ReservedAttributes, withResourceLabels: true, out var labels, out var error))
            {
                Result.Reject(index, OtlpRejection.InvalidLabelName, error);
                return;
            }
            var exemplars = Array.Empty<OtlpExemplar>();
            if (withExemplars && !TryExemplars(point.Exemplars, out exemplars, out error))
            {
                Result.Reject(index, OtlpRejection.InvalidExemplar, error);
                return;
            }
            var value = point.ValueCase switch
            {
                NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
                NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
                _ => 0,
            };
            if (NoRecordedValue(point.Flags)) value = StaleNaN;
            Emit(labels, name, null, null, value, Milliseconds(point.TimeUnixNano), exemplars, index);
        }

        private void AddHistogramPoint(HistogramDataPoint point, string name)
        {
            var index = Result.AddPoint();
            if (!TryBaseLabels(point.Attributes, ReservedAttributes, withResourceLabels: true, out var labels, out var error))
            {
                Result.Reject(index, OtlpRejection.InvalidLabelName, error);
                return;
            }
            if (!TryExemplars(point.Exemplars, out var exemplars, out error))
            {
                Result.Reject(index, OtlpRejection.InvalidExemplar, error);
                return;
            }
            var timestamp = Milliseconds(point.TimeUnixNano);
            var stale = NoRecordedValue(point.Flags);
            if (point.HasSum) Emit(labels, name + "_sum", null, null, stale ? StaleNaN : point.Sum, timestamp, [], index);
            Emit(labels, name + "_count", null, null, stale ? StaleNaN : point.Count, timestamp, [], index);

            // Bucket i counts (bounds[i-1], bounds[i]]; the last one, to +Inf, is the total count. An exemplar belongs to
            // the first bucket whose bound is not below its value (a NaN to the first, as Prometheus' loop puts it).
            var buckets = Math.Min(point.ExplicitBounds.Count, point.BucketCounts.Count);
            var perBucket = new List<OtlpExemplar>?[buckets + 1];
            foreach (var exemplar in exemplars)
            {
                var bucket = 0;
                while (bucket < buckets && exemplar.Value > point.ExplicitBounds[bucket]) bucket++;
                (perBucket[bucket] ??= []).Add(exemplar);
            }
            ulong cumulative = 0;
            for (var i = 0; i < buckets; i++)
            {
                cumulative += point.BucketCounts[i];
                Emit(labels, name + "_bucket", "le", OtlpValues.FormatFloatF(point.ExplicitBounds[i]),
                    stale ? StaleNaN : cumulative, timestamp, perBucket[i]?.ToArray() ?? [], index);
            }
            Emit(labels, name + "_bucket", "le", "+Inf", stale ? StaleNaN : point.Count, timestamp,
                perBucket[buckets]?.ToArray() ?? [], index);
        }

        private void AddSummaryPoint(SummaryDataPoint point, string name)
        {
            var index = Result.AddPoint();
            if (!TryBaseLabels(point.Attributes, ReservedAttributes, withResourceLabels: true, out var labels, out var error))
            {
                Result.Reject(index, OtlpRejection.InvalidLabelName, error);
                return;
            }
            var timestamp = Milliseconds(point.TimeUnixNano);
            var stale = NoRecordedValue(point.Flags);
            Emit(labels, name + "_sum", null, null, stale ? StaleNaN : point.Sum, timestamp, [], index);
            Emit(labels, name + "_count", null, null, stale ? StaleNaN : point.Count, timestamp, [], index);
            foreach (var quantile in point.QuantileValues)
            {
                Emit(labels, name, "quantile", OtlpValues.FormatFloatF(quantile.Quantile), stale ? StaleNaN : quantile.Value,
                    timestamp, [], index);
            }
        }

        private void AddTargetInfo(RepeatedField<KeyValue> attributes, ulong earliest, ulong latest)
        {
            var nonIdentifying = attributes.Count - IdentifyingAttributes.Count(a => Find(attributes, a) is not null);
            // With nothing but job and instance, target_info would say nothing.
            if (nonIdentifying == 0) return;
            string[] ignore = settings.KeepIdentifyingResourceAttributes ? [] : IdentifyingAttributes;
            var savedScope = _scopeLabels;
            _scopeLabels = null; // a resource-level series: no scope labels, no promoted attributes
            var ok = TryBaseLabels(attributes, ignore, withResourceLabels: false, out var labels, out var error);
            _scopeLabels = savedScope;
            if (!ok)
            {
                Result.AddError(error);
                return;
            }
            if (!labels.ContainsKey("job") && !labels.ContainsKey("instance")) return;
            Set(labels, MetricName, TargetInfo);
            var sorted = Sorted(labels);
            var key = string.Join('\xff', sorted.Select(l => l.Name + '\xfe' + l.Value));

            var interval = (ulong)Math.Max(1, settings.LookbackDelta.Ticks / 2 * 100); // ns
            if (latest - earliest > interval * MaxTargetInfoSteps) earliest = latest - interval * MaxTargetInfoSteps;
            for (var time = earliest; time < latest; time += interval) EmitTargetInfo(sorted, key, Milliseconds(time));
            EmitTargetInfo(sorted, key, Milliseconds(latest));
        }

        private void EmitTargetInfo(Label[] labels, string key, long timestampMs)
        {
            if (!_seenTargetInfo.Add((key, timestampMs))) return;
            Result.Series.Add(new OtlpSeries(labels, new Sample(1, timestampMs), [], -1));
        }

        /// <summary>
        /// A point's labels before its name: its attributes (sorted by key, translated, colliding values joined with
        /// ';'), then the promoted resource attributes where not set, <c>job</c> and <c>instance</c>, the scope labels.
        /// </summary>
        private bool TryBaseLabels(RepeatedField<KeyValue> attributes, string[] ignore, bool withResourceLabels,
            out Dictionary<string, string> labels, out string error)
        {
            labels = new Dictionary<string, string>(StringComparer.Ordinal);
            error = "";
            var sorted = attributes.Where(a => Array.IndexOf(ignore, a.Key) < 0)
                .Select(a => (a.Key, Value: OtlpValues.AsString(a.Value)))
                .OrderBy(a => a.Key, StringComparer.Ordinal);
            foreach (var (key, value) in sorted)
            {
                if (settings.AllowUtf8)
                {
                    // As Prometheus: with UTF-8 names a point's attribute keys are its label names, and cannot collide.
                    Set(labels, key, value);
                    continue;
                }
                if (!TryLabelName(key, out var name, out error)) return false;
                if (labels.TryGetValue(name, out var existing) && existing.Length > 0) labels[name] = existing + ";" + value;
                else Set(labels, name, value);
            }
            if (withResourceLabels)
            {
                foreach (var (name, value) in _promoted)
                {
                    if (!labels.ContainsKey(name)) Set(labels, name, value);
                }
            }
            if (_job.Length > 0) labels["job"] = _job;
            if (_instance.Length > 0) labels["instance"] = _instance;
            if (_scopeLabels is not null)
            {
                foreach (var (name, value) in _scopeLabels) labels[name] = value;
            }
            return true;
        }

        private bool TryExemplars(RepeatedField<Proto.Exemplar> exemplars, out OtlpExemplar[] result, out string error)
        {
            result = [];
            error = "";
            if (exemplars.Count == 0) return true;
            result = new OtlpExemplar[exemplars.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var exemplar = exemplars[i];
                double value;
                switch (exemplar.ValueCase)
                {
                    case Proto.Exemplar.ValueOneofCase.AsDouble: value = exemplar.AsDouble; break;
                    case Proto.Exemplar.ValueOneofCase.AsInt: value = exemplar.AsInt; break;
                    default:
                        error = "exemplar without a value (neither as_double nor as_int)";
                        return false;
                }
                var labels = new List<Label>(4);
                var runes = 0;
                var traceId = Id(exemplar.TraceId.Span, 16, "trace_id");
                if (traceId.Length > 0)
                {
                    labels.Add(new Label("trace_id", traceId));
                    runes += "trace_id".Length + traceId.Length;
                }
                var spanId = Id(exemplar.SpanId.Span, 8, "span_id");
                if (spanId.Length > 0)
                {
                    labels.Add(new Label("span_id", spanId));
                    runes += "span_id".Length + spanId.Length;
                }
                var attributes = new List<Label>(exemplar.FilteredAttributes.Count);
                foreach (var attribute in exemplar.FilteredAttributes)
                {
                    var text = OtlpValues.AsString(attribute.Value);
                    runes += RuneCount(attribute.Key) + RuneCount(text);
                    // An attribute named like the ids would make the labels ambiguous (and the series invalid): the ids win.
                    if ((attribute.Key == "trace_id" && traceId.Length > 0) || (attribute.Key == "span_id" && spanId.Length > 0)) continue;
                    attributes.Add(new Label(attribute.Key, text));
                }
                // As Prometheus: the filtered attributes only when all of it fits the OpenMetrics exemplar limit.
                if (runes <= MaxExemplarRunes) labels.AddRange(attributes);
                labels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                result[i] = new OtlpExemplar(labels.ToArray(), value, Milliseconds(exemplar.TimeUnixNano));
            }
            return true;
        }

        private bool TryLabelName(string key, out string name, out string error)
        {
            if (!_labelNames.TryGetValue(key, out var cached))
            {
                string built, message;
                var ok = settings.AllowUtf8
                    ? OtlpNames.TryBuildUtf8LabelName(key, out built, out message)
                    : OtlpNames.TryBuildLabelName(key, settings.LabelNameUnderscoreSanitization,
                        settings.LabelNamePreserveMultipleUnderscores, out built, out message);
                cached = (ok, built, message);
                if (_labelNames.Count < 4096) _labelNames[key] = cached;
            }
            name = cached.Name;
            error = cached.Error;
            return cached.Ok;
        }

        private void Emit(Dictionary<string, string> baseLabels, string metricName, string? extraName, string? extraValue,
            double value, long timestampMs, OtlpExemplar[] exemplars, int point)
        {
            var labels = new Dictionary<string, string>(baseLabels, StringComparer.Ordinal);
            if (extraName is not null) Set(labels, extraName, extraValue ?? "");
            Set(labels, MetricName, metricName);
            Result.Series.Add(new OtlpSeries(Sorted(labels), new Sample(value, timestampMs), exemplars, point));
        }

        private void RejectAll(IEnumerable<Metric> metrics, string reason, string message)
        {
            foreach (var metric in metrics) RejectAll(metric, reason, message);
        }

        private void RejectAll(Metric metric, string reason, string message)
        {
            var points = PointTimes(metric).Count();
            if (points == 0) Result.AddError(message);
            for (var i = 0; i < points; i++) Result.Reject(Result.AddPoint(), reason, message);
        }
    }

    /// <summary>Prometheus' <c>labels.Builder.Set</c>: an empty value removes the label.</summary>
    private static void Set(Dictionary<string, string> labels, string name, string value)
    {
        if (value.Length == 0) labels.Remove(name);
        else labels[name] = value;
    }

    private static Label[] Sorted(Dictionary<string, string> labels)
    {
        var result = labels.Select(l => new Label(l.Key, l.Value)).ToArray();
        Array.Sort(result, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    private static KeyValue? Find(RepeatedField<KeyValue> attributes, string key)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key == key) return attribute;
        }
        return null;
    }

    /// <summary>Lower-case hex of an id; "" for none or all zeros (an invalid id in OTLP). A wrong length is a bad request.</summary>
    private static string Id(ReadOnlySpan<byte> id, int length, string what)
    {
        if (id.IsEmpty) return "";
        if (id.Length != length) throw new OtlpFormatException(OtlpFormatError.BadRequest, $"exemplar {what} is {id.Length} bytes long, not {length}");
        return id.IndexOfAnyExcept((byte)0) < 0 ? "" : OtlpValues.Hex(id);
    }

    private static int RuneCount(string s)
    {
        var count = 0;
        foreach (var _ in s.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>OTLP nanoseconds to Prometheus milliseconds, as Prometheus converts them (int64, truncated).</summary>
    private static long Milliseconds(ulong unixNano) => unchecked((long)unixNano) / 1_000_000;

    private static bool NoRecordedValue(uint flags) => (flags & (uint)DataPointFlags.NoRecordedValueMask) != 0;

    private static OtlpMetricKind Kind(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => OtlpMetricKind.Gauge,
        Metric.DataOneofCase.Sum => metric.Sum.IsMonotonic ? OtlpMetricKind.MonotonicCounter : OtlpMetricKind.NonMonotonicCounter,
        Metric.DataOneofCase.Histogram => OtlpMetricKind.Histogram,
        Metric.DataOneofCase.ExponentialHistogram => OtlpMetricKind.ExponentialHistogram,
        Metric.DataOneofCase.Summary => OtlpMetricKind.Summary,
        _ => OtlpMetricKind.Unknown,
    };

    private static AggregationTemporality? Temporality(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Sum => metric.Sum.AggregationTemporality,
        Metric.DataOneofCase.Histogram => metric.Histogram.AggregationTemporality,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.AggregationTemporality,
        _ => null,
    };

    private static string TemporalityName(AggregationTemporality temporality) => temporality switch
    {
        AggregationTemporality.Delta => "delta",
        AggregationTemporality.Unspecified => "unspecified temporality",
        _ => $"temporality {(int)temporality}",
    };

    /// <summary>The time of each data point of a metric, of any type.</summary>
    private static IEnumerable<ulong> PointTimes(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => p.TimeUnixNano),
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => p.TimeUnixNano),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => p.TimeUnixNano),
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Select(p => p.TimeUnixNano),
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Select(p => p.TimeUnixNano),
        _ => [],
    };
}
