using System.Globalization;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Otlp;
using OrleansExemplars.Prometheus.Otlp.Proto;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using static OrleansExemplars.Tests.Otlp.OtlpRequests;

namespace OrleansExemplars.Tests.Otlp;

/// <summary>The OTLP → Prometheus translation against the behaviour of Prometheus 3's OTLP receiver.</summary>
public sealed class OtlpTranslatorTests
{
    private static string Text(OtlpSeries s)
    {
        var labels = string.Join(", ", s.Labels.Select(l => $"{l.Name}=\"{l.Value}\""));
        var value = double.IsNaN(s.Sample.Value)
            ? (BitConverter.DoubleToInt64Bits(s.Sample.Value) == BitConverter.DoubleToInt64Bits(OtlpTranslator.StaleNaN) ? "stale" : "NaN")
            : s.Sample.Value.ToString("R", CultureInfo.InvariantCulture);
        var exemplars = string.Concat(s.Exemplars.Select(e =>
            $" # {{{string.Join(", ", e.Labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}} {e.Value.ToString("R", CultureInfo.InvariantCulture)} @{e.TimestampMs}"));
        return $"{{{labels}}} {value} @{s.Sample.TimestampMs - BaseMs}{exemplars}";
    }

    private static List<string> Series(OtlpTranslation t, bool withTargetInfo = false) =>
        t.Series.Where(s => withTargetInfo || s.MetricName != "target_info").Select(Text).ToList();

    // Escaped names (UnderscoreEscapingWith[out]Suffixes), the cases of github.com/prometheus/otlptranslator's tests.
    [Theory]
    [InlineData(false, "simple_metric", "", OtlpMetricKind.Gauge, "simple_metric")]
    [InlineData(false, "metric@with#special$chars", "", OtlpMetricKind.Gauge, "metric_with_special_chars")]
    [InlineData(false, "123metric", "", OtlpMetricKind.Gauge, "_123metric")]
    [InlineData(false, "metric@@##$$name", "", OtlpMetricKind.Gauge, "metric_name")]
    [InlineData(false, "___", "", OtlpMetricKind.Gauge, "___")]
    [InlineData(false, "http.server.duration", "s", OtlpMetricKind.Histogram, "http_server_duration")]
    [InlineData(true, "requests", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData(true, "cpu_usage", "1", OtlpMetricKind.Gauge, "cpu_usage_ratio")]
    [InlineData(true, "items", "1", OtlpMetricKind.MonotonicCounter, "items_total")]
    [InlineData(true, "response_time", "ms", OtlpMetricKind.Gauge, "response_time_milliseconds")]
    [InlineData(true, "memory_usage", "By", OtlpMetricKind.Gauge, "memory_usage_bytes")]
    [InlineData(true, "requests", "1/s", OtlpMetricKind.Gauge, "requests_per_second")]
    [InlineData(true, "throughput", "By/s", OtlpMetricKind.Gauge, "throughput_bytes_per_second")]
    [InlineData(true, "custom_metric", "custom_unit", OtlpMetricKind.Gauge, "custom_metric_custom_unit")]
    [InlineData(true, "custom_metric", "{custom}", OtlpMetricKind.Gauge, "custom_metric")]
    [InlineData(true, "custom_metric", "By/{custom}", OtlpMetricKind.Gauge, "custom_metric_bytes")]
    [InlineData(true, "requests_total", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData(true, "cpu_usage_ratio", "1", OtlpMetricKind.Gauge, "cpu_usage_ratio")]
    [InlineData(true, "response_time_seconds", "s", OtlpMetricKind.Gauge, "response_time_seconds")]
    [InlineData(true, "metric__with__multiple__underscores", "unit__multiple__underscores", OtlpMetricKind.Gauge,
        "metric_with_multiple_underscores_unit_multiple_underscores")]
    [InlineData(true, "custom_metric", "unit@with#special/chars", OtlpMetricKind.Gauge, "custom_metric_unit_with_special_per_chars")]
    [InlineData(true, "request_size", "By", OtlpMetricKind.ExponentialHistogram, "request_size_bytes")]
    [InlineData(true, "response_time", "ms", OtlpMetricKind.Summary, "response_time_milliseconds")]
    [InlineData(true, "active_connections", "", OtlpMetricKind.NonMonotonicCounter, "active_connections")]
    [InlineData(true, "temperature", "Cel", OtlpMetricKind.Gauge, "temperature_celsius")]
    [InlineData(true, "cpu_usage", "%", OtlpMetricKind.Gauge, "cpu_usage_percent")]
    [InlineData(true, "invoices", "1/mo", OtlpMetricKind.Gauge, "invoices_per_month")]
    [InlineData(true, "custom", "1/custom_unit", OtlpMetricKind.Gauge, "custom_per_custom_unit")]
    [InlineData(true, "metric", "By/", OtlpMetricKind.Gauge, "metric_bytes")]
    [InlineData(true, "metric", " By / s ", OtlpMetricKind.Gauge, "metric_bytes_per_second")]
    [InlineData(true, "metric", "/", OtlpMetricKind.Gauge, "metric")]
    [InlineData(true, "http.request.duration", "ms", OtlpMetricKind.Histogram, "http_request_duration_milliseconds")]
    [InlineData(true, "http.requests", "1", OtlpMetricKind.MonotonicCounter, "http_requests_total")]
    [InlineData(true, "http.server.request.duration", "s", OtlpMetricKind.Histogram, "http_server_request_duration_seconds")]
    public void Metric_names_translate_as_Prometheus(bool suffixes, string name, string unit, OtlpMetricKind kind, string expected)
    {
        Assert.True(OtlpNames.TryBuildMetricName(name, unit, kind, suffixes, out var built, out var error), error);
        Assert.Equal(expected, built);
    }

    [Theory]
    [InlineData(false, "", "normalization for metric \"\" resulted in empty name")]
    [InlineData(false, "@#$%", "normalization for metric \"@#$%\" resulted in empty name")]
    [InlineData(false, "@_#_$_%", "normalization for metric \"@_#_$_%\" resulted in invalid name \"_____\"")]
    [InlineData(true, "@#$%", "normalization for metric \"@#$%\" resulted in empty name")]
    public void Metric_names_that_translate_to_nothing_are_errors(bool suffixes, string name, string expected)
    {
        Assert.False(OtlpNames.TryBuildMetricName(name, "", OtlpMetricKind.Gauge, suffixes, out _, out var error));
        Assert.Equal(expected, error);
    }

    // (key, collapsing runs of '_', preserving them (Prometheus' default)); underscore sanitization off.
    [Theory]
    [InlineData("label:with:colons", "label_with_colons", "label_with_colons")]
    [InlineData("LabelWithCapitalLetters", "LabelWithCapitalLetters", "LabelWithCapitalLetters")]
    [InlineData("label!with&special$chars)", "label_with_special_chars_", "label_with_special_chars_")]
    [InlineData("label_with_foreign_characters_字符", "label_with_foreign_characters_", "label_with_foreign_characters___")]
    [InlineData("label.with.dots", "label_with_dots", "label_with_dots")]
    [InlineData("123label", "key_123label", "key_123label")]
    [InlineData("_label_starting_with_underscore", "_label_starting_with_underscore", "_label_starting_with_underscore")]
    [InlineData("__label_starting_with_2underscores", "_label_starting_with_2underscores", "__label_starting_with_2underscores")]
    [InlineData("label__with__double__underscores", "label_with_double_underscores", "label__with__double__underscores")]
    [InlineData("label.name__with&&special##chars", "label_name_with_special_chars", "label_name__with__special__chars")]
    [InlineData("__reserved__label__name__", "__reserved_label_name__", "__reserved__label__name__")]
    [InlineData("trailing_underscores___", "trailing_underscores_", "trailing_underscores___")]
    public void Label_names_translate_as_Prometheus(string key, string collapsed, string preserved)
    {
        Assert.True(OtlpNames.TryBuildLabelName(key, false, false, out var a, out _));
        Assert.Equal(collapsed, a);
        Assert.True(OtlpNames.TryBuildLabelName(key, false, true, out var b, out _));
        Assert.Equal(preserved, b);
    }

    [Fact]
    public void Underscore_sanitization_prefixes_key_to_a_single_leading_underscore()
    {
        Assert.True(OtlpNames.TryBuildLabelName("_label_starting_with_underscore", true, true, out var name, out _));
        Assert.Equal("key_label_starting_with_underscore", name);
        Assert.True(OtlpNames.TryBuildLabelName("regular label", true, true, out name, out _));
        Assert.Equal("regular_label", name);
        Assert.True(OtlpNames.TryBuildLabelName("__keep__", true, true, out name, out _));
        Assert.Equal("__keep__", name);
        Assert.False(OtlpNames.TryBuildLabelName("ようこそ", false, false, out _, out var error));
        Assert.Contains("resulted in invalid name", error);
        Assert.False(OtlpNames.TryBuildLabelName("", true, true, out _, out _));
    }

    [Fact]
    public void A_cumulative_histogram_becomes_sum_count_and_cumulative_buckets_with_exemplars_on_their_bucket()
    {
        var point = HistogramPoint([0.1, 0.5, 1], [1, 2, 0, 1], 2.5, BaseNanos, Attr("http.method", "GET"), Attr("http.status_code", 200))
            .WithExemplars(
                Exemplar(0.3, TraceA, SpanA, BaseNanos - 2_500_000, Attr("user", "u1")),
                Exemplar(7, TraceB, SpanB, BaseNanos - 1_000_000));
        var request = Request([Attr("service.name", "checkout"), Attr("service.namespace", "shop"), Attr("service.instance.id", "i-1"),
                Attr("host.name", "h1")],
            Histogram("http.server.request.duration", "s", AggregationTemporality.Cumulative, point));

        var t = OtlpTranslator.Translate(request);

        const string b = "http_method=\"GET\", http_status_code=\"200\", instance=\"i-1\", job=\"shop/checkout\"";
        Assert.Equal(
        [
            $"{{__name__=\"http_server_request_duration_seconds_sum\", {b}}} 2.5 @0",
            $"{{__name__=\"http_server_request_duration_seconds_count\", {b}}} 4 @0",
            $"{{__name__=\"http_server_request_duration_seconds_bucket\", {b}, le=\"0.1\"}} 1 @0",
            $"{{__name__=\"http_server_request_duration_seconds_bucket\", {b}, le=\"0.5\"}} 3 @0" +
            $" # {{span_id=\"{SpanA}\", trace_id=\"{TraceA}\", user=\"u1\"}} 0.3 @{BaseMs - 3}", // ns truncated to ms
            $"{{__name__=\"http_server_request_duration_seconds_bucket\", {b}, le=\"1\"}} 3 @0",
            $"{{__name__=\"http_server_request_duration_seconds_bucket\", {b}, le=\"+Inf\"}} 4 @0" +
            $" # {{span_id=\"{SpanB}\", trace_id=\"{TraceB}\"}} 7 @{BaseMs - 1}",
        ], Series(t));
        Assert.Equal(1, t.DataPoints);
        Assert.Equal(0, t.RejectedDataPoints);
        // The other resource attributes go on target_info, without the identifying ones.
        Assert.Equal(["{__name__=\"target_info\", host_name=\"h1\", instance=\"i-1\", job=\"shop/checkout\"} 1 @0"],
            t.Series.Where(s => s.MetricName == "target_info").Select(Text));
    }

    [Fact]
    public void A_histogram_without_sum_has_no_sum_series_and_an_unsorted_exemplar_still_finds_its_bucket()
    {
        var point = HistogramPoint([1, 2], [0, 1, 1], null).WithExemplars(Exemplar(1.5, TraceB, SpanB), Exemplar(0.2, TraceA, SpanA));
        var t = OtlpTranslator.Translate(Request(Histogram("latency", "", AggregationTemporality.Cumulative, point)));
        var series = Series(t);
        Assert.DoesNotContain(series, s => s.Contains("latency_sum", StringComparison.Ordinal));
        Assert.Contains(series, s => s.Contains("le=\"1\"", StringComparison.Ordinal) && s.Contains(TraceA, StringComparison.Ordinal));
        Assert.Contains(series, s => s.Contains("le=\"2\"", StringComparison.Ordinal) && s.Contains(TraceB, StringComparison.Ordinal));
    }

    [Fact]
    public void Sums_gauges_and_summaries_translate_with_their_suffixes()
    {
        var summary = new Metric { Name = "rpc.duration", Unit = "ms", Summary = new Summary() };
        var sp = new SummaryDataPoint { TimeUnixNano = BaseNanos + 1_000_000_000, Count = 10, Sum = 42.5 };
        sp.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 3 });
        sp.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 9 });
        summary.Summary.DataPoints.Add(sp);
        var counter = Sum("http.requests", "1", monotonic: true, AggregationTemporality.Cumulative,
            Number(17).WithExemplars(Exemplar(1, TraceA, SpanA)));
        var updown = Sum("queue.size", "{item}", monotonic: false, AggregationTemporality.Cumulative, Number(3));
        var gauge = Gauge("memory.usage", "By", new NumberDataPoint { AsInt = 1024, TimeUnixNano = BaseNanos });

        var t = OtlpTranslator.Translate(Request(counter, updown, gauge, summary));

        Assert.Equal(
        [
            $"{{__name__=\"http_requests_total\", job=\"checkout\"}} 17 @0 # {{span_id=\"{SpanA}\", trace_id=\"{TraceA}\"}} 1 @{BaseMs}",
            "{__name__=\"queue_size\", job=\"checkout\"} 3 @0",
            "{__name__=\"memory_usage_bytes\", job=\"checkout\"} 1024 @0",
            "{__name__=\"rpc_duration_milliseconds_sum\", job=\"checkout\"} 42.5 @1000",
            "{__name__=\"rpc_duration_milliseconds_count\", job=\"checkout\"} 10 @1000",
            "{__name__=\"rpc_duration_milliseconds\", job=\"checkout\", quantile=\"0.5\"} 3 @1000",
            "{__name__=\"rpc_duration_milliseconds\", job=\"checkout\", quantile=\"0.99\"} 9 @1000",
        ], Series(t));
        Assert.Equal(4, t.DataPoints);
        // service.name only: target_info would say nothing.
        Assert.DoesNotContain(t.Series, s => s.MetricName == "target_info");
    }

    [Fact]
    public void Without_suffixes_names_are_only_escaped()
    {
        var settings = new OtlpOptions { TranslationStrategy = OtlpTranslationStrategy.UnderscoreEscapingWithoutSuffixes }.ToSettings();
        var t = OtlpTranslator.Translate(Request(Sum("http.requests", "1", true, AggregationTemporality.Cumulative, Number(1))), settings);
        Assert.Equal(["{__name__=\"http_requests\", job=\"checkout\"} 1 @0"], Series(t));
    }

    [Fact]
    public void Delta_sums_and_histograms_and_exponential_histograms_are_rejected_and_counted()
    {
        var exponential = new Metric
        {
            Name = "size", Unit = "By",
            ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative },
        };
        exponential.ExponentialHistogram.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = BaseNanos, Count = 1, Scale = 2 });
        var request = Request(
            Sum("delta.requests", "", true, AggregationTemporality.Delta, Number(1), Number(2)),
            Histogram("delta.latency", "s", AggregationTemporality.Delta, HistogramPoint([1], [1, 0], 0.5)),
            Sum("unspecified", "", true, AggregationTemporality.Unspecified, Number(1)),
            exponential,
            Gauge("ok", "", Number(5)));

        var t = OtlpTranslator.Translate(request);

        Assert.Equal(["{__name__=\"ok\", job=\"checkout\"} 5 @0"], Series(t));
        Assert.Equal(6, t.DataPoints);
        Assert.Equal(5, t.RejectedDataPoints);
        Assert.Equal(4, t.RejectedByReason[OtlpRejection.DeltaTemporality]);
        Assert.Equal(1, t.RejectedByReason[OtlpRejection.ExponentialHistogram]);
        Assert.Contains("invalid temporality and type combination for metric \"delta.requests\"", t.ErrorMessage);
        Assert.Contains("exponential histogram \"size\" dropped", t.ErrorMessage);
    }

    [Fact]
    public void Attributes_are_sanitized_colliding_keys_joined_empty_values_dropped_and_stale_points_marked()
    {
        var point = Number(1, BaseNanos, Attr("a.b", "x"), Attr("a_b", "y"), Attr("empty", ""), Attr("__name__", "ignored"),
            Attr("flag", true), Attr("ratio", 0.25), Attr("1st", "v"), Attr("_hidden", "h"));
        point.Flags = (uint)DataPointFlags.NoRecordedValueMask;
        var t = OtlpTranslator.Translate(Request(Gauge("g", "", point)));
        Assert.Equal(["{__name__=\"g\", a_b=\"x;y\", flag=\"true\", job=\"checkout\", key_1st=\"v\", key_hidden=\"h\", ratio=\"0.25\"} stale @0"],
            Series(t));
    }

    [Fact]
    public void Promoted_resource_attributes_go_on_every_series_but_do_not_override_point_attributes()
    {
        var settings = new OtlpOptions { PromoteResourceAttributes = ["deployment.environment", "region"] }.ToSettings();
        var request = Request([Attr("service.name", "api"), Attr("deployment.environment", "prod"), Attr("region", "eu"), Attr("k8s.pod", "p")],
            Gauge("g", "", Number(1, BaseNanos, Attr("region", "us"))));
        var t = OtlpTranslator.Translate(request, settings);
        Assert.Equal(["{__name__=\"g\", deployment_environment=\"prod\", job=\"api\", region=\"us\"} 1 @0"], Series(t));
        // target_info carries every non-identifying attribute, promoted or not.
        Assert.Equal(["{__name__=\"target_info\", deployment_environment=\"prod\", job=\"api\", k8s_pod=\"p\", region=\"eu\"} 1 @0"],
            t.Series.Where(s => s.MetricName == "target_info").Select(Text));

        var all = new OtlpOptions { PromoteAllResourceAttributes = true, IgnoreResourceAttributes = ["k8s.pod"] }.ToSettings();
        t = OtlpTranslator.Translate(request, all);
        Assert.Equal(["{__name__=\"g\", deployment_environment=\"prod\", job=\"api\", region=\"us\", service_name=\"api\"} 1 @0"], Series(t));
    }

    [Fact]
    public void Scope_metadata_is_promoted_when_asked()
    {
        var request = Request(Gauge("g", "", Number(1)));
        request.ResourceMetrics[0].ScopeMetrics[0].Scope.Attributes.Add(Attr("lib.kind", "http"));
        var t = OtlpTranslator.Translate(request, new OtlpOptions { PromoteScopeMetadata = true }.ToSettings());
        Assert.Equal(["{__name__=\"g\", job=\"checkout\", otel_scope_lib_kind=\"http\", otel_scope_name=\"test.scope\", otel_scope_version=\"1.0\"} 1 @0"],
            Series(t));
    }

    [Fact]
    public void Target_info_has_a_sample_every_half_lookback_from_the_earliest_to_the_latest_point()
    {
        var minute = 60_000_000_000UL;
        var request = Request([Attr("service.name", "api"), Attr("host.name", "h")],
            Gauge("g", "", Number(1, BaseNanos), Number(2, BaseNanos + 6 * minute)));
        var t = OtlpTranslator.Translate(request);
        var times = t.Series.Where(s => s.MetricName == "target_info").Select(s => s.Sample.TimestampMs - BaseMs).ToList();
        Assert.Equal([0L, 150_000, 300_000, 360_000], times);
        Assert.All(t.Series.Where(s => s.MetricName == "target_info"), s => Assert.Equal(-1, s.DataPoint));
    }

    [Fact]
    public void Exemplar_attributes_are_kept_only_while_everything_fits_in_128_runes()
    {
        var small = Exemplar(1, TraceA, SpanA, BaseNanos, Attr("k", "v"));
        var big = Exemplar(2, TraceB, SpanB, BaseNanos + 1_000_000, Attr("comment", new string('x', 60)));
        var noIds = new Prometheus.Otlp.Proto.Exemplar { AsInt = 3, TimeUnixNano = BaseNanos + 2_000_000 };
        var t = OtlpTranslator.Translate(Request(Sum("c", "", true, AggregationTemporality.Cumulative, Number(1).WithExemplars(small, big, noIds))));
        var exemplars = t.Series.Single(s => s.MetricName == "c_total").Exemplars;
        Assert.Equal(["k", "span_id", "trace_id"], exemplars[0].Labels.Select(l => l.Name));
        Assert.Equal(["span_id", "trace_id"], exemplars[1].Labels.Select(l => l.Name));
        Assert.Empty(exemplars[2].Labels);
        Assert.Equal(3, exemplars[2].Value);
    }

    [Fact]
    public void An_exemplar_id_of_the_wrong_length_is_a_bad_request()
    {
        var bad = Exemplar(1, "abcd", SpanA);
        var e = Assert.Throws<OtlpFormatException>(() =>
            OtlpTranslator.Translate(Request(Sum("c", "", true, AggregationTemporality.Cumulative, Number(1).WithExemplars(bad)))));
        Assert.Equal(OtlpFormatError.BadRequest, e.Error);
        Assert.Contains("trace_id is 2 bytes long", e.Message);
    }

    [Fact]
    public void The_remote_write_rules_refuse_series_and_count_their_points()
    {
        var request = Request(
            Gauge("g", "", Number(1, BaseNanos, Attr("big", new string('v', 40)))),
            Histogram("h", "", AggregationTemporality.Cumulative,
                HistogramPoint([1], [1, 1], 3).WithExemplars(Exemplar(0.5, TraceA, SpanA))));
        var write = OtlpWriteReader.Read(OtlpTranslator.Translate(request), new SeriesLimits(1002, 1024, 35));

        Assert.Equal(2, write.DataPoints);
        Assert.Equal(1, write.RejectedDataPoints);
        Assert.Equal(1, write.RejectedByReason[OtlpRejection.InvalidSeries]);
        Assert.Contains("value of label \"big\" is 40 characters long", write.ErrorMessage);
        Assert.Equal(4, write.Write.Forward.Count); // h_sum, h_count, two buckets
        var exemplars = Assert.Single(write.Write.ExemplarsByMetric["h_bucket"]);
        Assert.Equal("1", exemplars.Series.Get("le"));
        Assert.Equal(TraceA, exemplars.Exemplars.Single().Labels.Get("trace_id"));
        Assert.Equal(1, write.Write.ExemplarCount);
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1e-7, "0.0000001")]
    [InlineData(250, "250")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Bounds_are_spelled_as_Go_FormatFloat_f(double value, string expected) => Assert.Equal(expected, OtlpValues.FormatFloatF(value));

    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(123456789.0, "123456789")]
    [InlineData(double.NaN, "NaN")]
    public void Double_attributes_are_spelled_as_the_Collector_spells_them(double value, string expected) =>
        Assert.Equal(expected, OtlpValues.FormatEs6(value));

    [Fact]
    public void Array_and_map_attributes_are_JSON()
    {
        var array = new AnyValue { ArrayValue = new ArrayValue() };
        array.ArrayValue.Values.Add(new AnyValue { StringValue = "a<b" });
        array.ArrayValue.Values.Add(new AnyValue { IntValue = 2 });
        var map = new AnyValue { KvlistValue = new KeyValueList() };
        map.KvlistValue.Values.Add(new KeyValue { Key = "z", Value = new AnyValue { BoolValue = false } });
        map.KvlistValue.Values.Add(new KeyValue { Key = "a", Value = array });
        Assert.Equal("{\"a\":[\"a<b\",2],\"z\":false}", OtlpValues.AsString(map));
    }

    [Fact]
    public void Options_refuse_UTF8_strategies_only_with_legacy_names_naming_the_key()
    {
        foreach (var strategy in new[] { OtlpTranslationStrategy.NoTranslation, OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes })
        {
            var options = new OtlpOptions { TranslationStrategy = strategy };
            Assert.Empty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
            Assert.Null(options.Utf8StrategyError(NameValidationScheme.Utf8));
            Assert.StartsWith("Otlp:TranslationStrategy", options.Utf8StrategyError(NameValidationScheme.Legacy));
        }
        Assert.Null(new OtlpOptions().Utf8StrategyError(NameValidationScheme.Legacy));
        Assert.Empty(new OtlpOptions().Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
        Assert.NotEmpty(new OtlpOptions { IgnoreResourceAttributes = ["x"] }
            .Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
    }
    // UTF-8 names (NoUTF8EscapingWithSuffixes, NoTranslation): the cases of github.com/prometheus/otlptranslator's
    // MetricNamer tests with UTF8Allowed.
    [Theory]
    [InlineData(true, "requests_total", "", OtlpMetricKind.MonotonicCounter, "requests_total")]
    [InlineData(true, "cpu_usage_ratio", "1", OtlpMetricKind.Gauge, "cpu_usage_ratio")]
    [InlineData(true, "response_time_seconds", "s", OtlpMetricKind.Gauge, "response_time_seconds")]
    [InlineData(true, "cpu_seconds_total", "s", OtlpMetricKind.MonotonicCounter, "cpu_seconds_total")]
    [InlineData(true, "otelcol_process_cpu_seconds", "s", OtlpMetricKind.MonotonicCounter, "otelcol_process_cpu_seconds_total")]
    [InlineData(false, "___", "", OtlpMetricKind.Gauge, "___")]
    [InlineData(false, "métric_with_ñ_chars", "", OtlpMetricKind.Gauge, "métric_with_ñ_chars")]
    [InlineData(true, "requêsts", "", OtlpMetricKind.MonotonicCounter, "requêsts_total")]
    [InlineData(true, "cpu_usagé", "1", OtlpMetricKind.Gauge, "cpu_usagé_ratio")]
    [InlineData(true, "respønse_time", "ms", OtlpMetricKind.Gauge, "respønse_time_milliseconds")]
    [InlineData(true, "requêsts", "1/s", OtlpMetricKind.Gauge, "requêsts_per_second")]
    [InlineData(true, "@#$%", "", OtlpMetricKind.MonotonicCounter, "@#$%_total")]
    [InlineData(false, "http.request.duration", "ms", OtlpMetricKind.Histogram, "http.request.duration")]
    [InlineData(false, "http.requests", "1", OtlpMetricKind.MonotonicCounter, "http.requests")]
    [InlineData(true, "http.server.request.duration", "s", OtlpMetricKind.Histogram, "http.server.request.duration_seconds")]
    [InlineData(true, "network.io", "By/s", OtlpMetricKind.MonotonicCounter, "network.io_bytes_per_second_total")]
    public void Utf8_metric_names_are_kept_with_the_suffixes_asked_for(bool suffixes, string name, string unit, OtlpMetricKind kind,
        string expected) =>
        Assert.Equal(expected, OtlpNames.BuildUtf8MetricName(name, unit, kind, suffixes));

    [Fact]
    public void NoTranslation_keeps_metric_and_attribute_names_as_sent()
    {
        var request = Request([Attr("service.name", "api"), Attr("host.name", "h1"), Attr("deployment.environment", "prod")],
            Histogram("http.server.request.duration", "s", AggregationTemporality.Cumulative,
                HistogramPoint([0.5], [1, 0], 0.25, BaseNanos, Attr("http.route", "/pay"), Attr("http.request.method", "GET"))
                    .WithExemplars(Exemplar(0.25, "0102030405060708090a0b0c0d0e0f10", "0102030405060708", BaseNanos, Attr("user.id", "u1")))));
        var settings = new OtlpOptions
        {
            TranslationStrategy = OtlpTranslationStrategy.NoTranslation,
            PromoteResourceAttributes = ["deployment.environment"],
        }.ToSettings();

        var translation = OtlpTranslator.Translate(request, settings);

        Assert.Equal(string.Join("\n", new[]
        {
            "{__name__=\"http.server.request.duration_bucket\", deployment.environment=\"prod\", http.request.method=\"GET\", http.route=\"/pay\", job=\"api\", le=\"+Inf\"} 1 @0",
            "{__name__=\"http.server.request.duration_bucket\", deployment.environment=\"prod\", http.request.method=\"GET\", http.route=\"/pay\", job=\"api\", le=\"0.5\"} 1 @0 # {span_id=\"0102030405060708\", trace_id=\"0102030405060708090a0b0c0d0e0f10\", user.id=\"u1\"} 0.25 @" + BaseMs,
            "{__name__=\"http.server.request.duration_count\", deployment.environment=\"prod\", http.request.method=\"GET\", http.route=\"/pay\", job=\"api\"} 1 @0",
            "{__name__=\"http.server.request.duration_sum\", deployment.environment=\"prod\", http.request.method=\"GET\", http.route=\"/pay\", job=\"api\"} 0.25 @0",
        }), string.Join("\n", Series(translation).Order(StringComparer.Ordinal)));
        var targetInfo = Assert.Single(translation.Series, s => s.MetricName == "target_info");
        Assert.Contains(targetInfo.Labels, l => l is { Name: "host.name", Value: "h1" });

        // NoUTF8EscapingWithSuffixes: the same names with the unit's suffix.
        var suffixed = OtlpTranslator.Translate(request,
            new OtlpOptions { TranslationStrategy = OtlpTranslationStrategy.NoUTF8EscapingWithSuffixes }.ToSettings());
        Assert.Contains(suffixed.Series, s => s.MetricName == "http.server.request.duration_seconds_bucket" &&
                                              s.Labels.Any(l => l.Name == "http.route"));
    }

    [Fact]
    public void NoTranslation_refuses_promoted_attributes_Prometheus_cannot_name()
    {
        var request = Request([Attr("service.name", "api"), Attr("__", "x")], Gauge("g", "", Number(1)));
        var translation = OtlpTranslator.Translate(request, new OtlpOptions
        {
            TranslationStrategy = OtlpTranslationStrategy.NoTranslation,
            PromoteAllResourceAttributes = true,
        }.ToSettings());
        Assert.Empty(Series(translation));
        Assert.Contains(translation.Errors, e => e.Contains("label name \"__\" contains only underscores", StringComparison.Ordinal));
    }
}
