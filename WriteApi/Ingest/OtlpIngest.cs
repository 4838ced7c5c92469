using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OrleansExemplars.Prometheus.Otlp;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.WriteApi.Ingest;

/// <summary>Registers the OTLP/HTTP metrics receiver's options (<c>Otlp</c>, checked at start) and counters.</summary>
public static class OtlpIngestExtensions
{
    public static WebApplicationBuilder AddOtlpIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OtlpOptions>()
            .Bind(builder.Configuration.GetSection(OtlpOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate<IOptions<IngestLimitsOptions>>(
                (otlp, ingest) => otlp.Utf8StrategyError(ingest.Value.NameValidation) is null,
                "Otlp:TranslationStrategy keeps UTF-8 names, which Ingest:NameValidation = Legacy refuses: use " +
                "UnderscoreEscapingWithSuffixes (the default) or UnderscoreEscapingWithoutSuffixes, or Ingest:NameValidation = Utf8.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OtlpMetrics>();
        return builder;
    }
}

/// <summary>
/// Counters of <c>/api/v1/otlp/v1/metrics</c>: requests by outcome, data points received and rejected by reason. The
/// samples and exemplars the accepted points became are counted with remote write's (<c>oe_remote_write_samples</c>,
/// <c>oe_remote_write_exemplars</c>, <c>oe_remote_write_invalid_series</c>): they take the same path from here on.
/// </summary>
public sealed class OtlpMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _points;
    private readonly Counter<long> _rejected;

    public OtlpMetrics(IMeterFactory meterFactory)
    {
        // The API host's meter, which its /metrics already exports.
        var meter = meterFactory.Create(WriteApiMetrics.MeterName);
        _requests = meter.CreateCounter<long>("oe_otlp_requests", description: "OTLP/HTTP metrics export requests by outcome.");
        _points = meter.CreateCounter<long>("oe_otlp_data_points", description: "OTLP data points received, of every type.");
        _rejected = meter.CreateCounter<long>("oe_otlp_rejected_data_points",
            description: "OTLP data points not written, by reason: delta_temporality, exponential_histogram, invalid_metric_name, " +
                         "invalid_label_name, invalid_exemplar, invalid_series.");
    }

    public void RecordRequest(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordPoints(OtlpWrite write)
    {
        _points.Add(write.DataPoints);
        foreach (var (reason, count) in write.RejectedByReason)
        {
            _rejected.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }
}
