using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// The forwarders' instruments, in the spirit of Prometheus' <c>prometheus_remote_storage_*</c>, all tagged with
/// <c>endpoint</c> (the endpoint's name). Thread-safe.
/// </summary>
public sealed class RemoteWriteMetrics
{
    public const string MeterName = "OrleansExemplars.RemoteWrite";

    private readonly Counter<long> _samplesSent;
    private readonly Counter<long> _exemplarsSent;
    private readonly Counter<long> _samplesDropped;
    private readonly Counter<long> _exemplarsDropped;
    private readonly Counter<long> _histogramsSent;
    private readonly Counter<long> _histogramsDropped;
    private readonly Counter<long> _samplesRetried;
    private readonly Counter<long> _exemplarsRetried;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _sendDuration;
    private readonly UpDownCounter<long> _pending;
    private readonly Counter<long> _queueErrors;
    private readonly UpDownCounter<long> _queuedBytes;
    private readonly Counter<long> _refusedBatches;
    private readonly ConcurrentDictionary<string, HighestTimestamp> _highest = new(StringComparer.Ordinal);

    public RemoteWriteMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _samplesSent = meter.CreateCounter<long>("oe_remote_storage_samples_sent",
            description: "Samples in remote-write requests the endpoint acknowledged (2xx).");
        _exemplarsSent = meter.CreateCounter<long>("oe_remote_storage_exemplars_sent",
            description: "Exemplars in remote-write requests the endpoint acknowledged (2xx).");
        _samplesDropped = meter.CreateCounter<long>("oe_remote_storage_samples_dropped",
            description: "Samples given up: refused by the endpoint (non-retryable 4xx, or a 2.0 answer without " +
                         "written counts) or out of retries (tag reason).");
        _exemplarsDropped = meter.CreateCounter<long>("oe_remote_storage_exemplars_dropped",
            description: "Exemplars given up, as oe_remote_storage_samples_dropped.");
        _histogramsSent = meter.CreateCounter<long>("oe_remote_storage_histograms_sent",
            description: "Native-histogram samples in remote-write requests the endpoint acknowledged (2xx).");
        _histogramsDropped = meter.CreateCounter<long>("oe_remote_storage_histograms_dropped",
            description: "Native-histogram samples given up, as oe_remote_storage_samples_dropped.");
        _samplesRetried = meter.CreateCounter<long>("oe_remote_storage_samples_retried",
            description: "Samples in attempts that failed with a retryable error and were sent again.");
        _exemplarsRetried = meter.CreateCounter<long>("oe_remote_storage_exemplars_retried",
            description: "Exemplars in attempts that failed with a retryable error and were sent again.");
        _requests = meter.CreateCounter<long>("oe_remote_storage_requests",
            description: "Remote-write attempts, by HTTP status (or \"error\": no response, e.g. refused or timed out).");
        _sendDuration = meter.CreateHistogram<double>("oe_remote_storage_sent_batch_duration", unit: "s",
            description: "Duration of one remote-write attempt.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60],
            });
        _pending = meter.CreateUpDownCounter<long>("oe_remote_storage_samples_pending",
            description: "Samples accepted for forwarding and not yet sent or dropped.");
        meter.CreateObservableGauge("oe_remote_storage_highest_sent_timestamp_seconds", ObserveHighest, unit: "s",
            description: "Highest sample timestamp the endpoint has acknowledged (Unix seconds).");
        _queueErrors = meter.CreateCounter<long>("oe_remote_storage_queue_errors",
            description: "Sends of a forward queue that threw (a fault outside the retried HTTP exchange); the same batch " +
                         "is sent again after a backoff.");
        _queuedBytes = meter.CreateUpDownCounter<long>("oe_remote_storage_queued_bytes", unit: "By",
            description: "Estimated memory of the batches this silo holds for forwarding (HTTP ingest is refused past " +
                         "RemoteWrite:MaxQueuedBytes).");
        _refusedBatches = meter.CreateCounter<long>("oe_remote_storage_refused_batches",
            description: "Batches of /api/v1/write refused because the silo's forward queue was full (answered 503).");
        _queuedBytes.Add(0);
        _refusedBatches.Add(0);
    }

    /// <summary>A forward queue's send threw; the batch is retried.</summary>
    public void RecordQueueError(string endpoint) => _queueErrors.Add(1, Tag(endpoint));

    /// <summary>Adds <paramref name="delta"/> to the silo's queued forward bytes.</summary>
    public void AddQueuedBytes(long delta)
    {
        if (delta != 0) _queuedBytes.Add(delta);
    }

    public void RecordRefusedBatch() => _refusedBatches.Add(1);

    /// <summary>Adds <paramref name="delta"/> (negative when samples leave the queue) to the endpoint's pending samples.</summary>
    public void AddPending(string endpoint, long delta)
    {
        if (delta != 0) _pending.Add(delta, Tag(endpoint));
    }

    /// <summary>
    /// Makes the endpoint's highest-sent-timestamp gauge and queue error counter exist (at 0) before their first event.
    /// </summary>
    public void RegisterEndpoint(string endpoint)
    {
        _highest.GetOrAdd(endpoint, static _ => new HighestTimestamp());
        _queueErrors.Add(0, Tag(endpoint));
    }

    public void RecordSent(string endpoint, int samples, int exemplars, long? highestTimestampMs, int histograms = 0)
    {
        var tag = Tag(endpoint);
        if (samples > 0) _samplesSent.Add(samples, tag);
        if (histograms > 0) _histogramsSent.Add(histograms, tag);
        if (exemplars > 0) _exemplarsSent.Add(exemplars, tag);
        if (highestTimestampMs is { } ts) _highest.GetOrAdd(endpoint, static _ => new HighestTimestamp()).Raise(ts);
    }

    public void RecordDropped(string endpoint, string reason, int samples, int exemplars, int histograms = 0)
    {
        KeyValuePair<string, object?>[] tags = [new("endpoint", endpoint), new("reason", reason)];
        if (samples > 0) _samplesDropped.Add(samples, tags);
        if (histograms > 0) _histogramsDropped.Add(histograms, tags);
        if (exemplars > 0) _exemplarsDropped.Add(exemplars, tags);
    }

    public void RecordRetried(string endpoint, int samples, int exemplars)
    {
        var tag = Tag(endpoint);
        if (samples > 0) _samplesRetried.Add(samples, tag);
        if (exemplars > 0) _exemplarsRetried.Add(exemplars, tag);
    }

    /// <summary>One attempt: its HTTP status (null: no response) and how long it took.</summary>
    public void RecordAttempt(string endpoint, int? statusCode, TimeSpan duration)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint),
            new KeyValuePair<string, object?>("status", statusCode is { } code ? StatusText(code) : "error"));
        _sendDuration.Record(duration.TotalSeconds, Tag(endpoint));
    }

    private IEnumerable<Measurement<double>> ObserveHighest()
    {
        foreach (var (endpoint, highest) in _highest)
        {
            yield return new Measurement<double>(highest.Seconds, Tag(endpoint));
        }
    }

    private static KeyValuePair<string, object?> Tag(string endpoint) => new("endpoint", endpoint);

    private static string StatusText(int code) => code switch
    {
        200 => "200",
        204 => "204",
        400 => "400",
        429 => "429",
        500 => "500",
        503 => "503",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed class HighestTimestamp
    {
        private long _ms;

        public double Seconds => Volatile.Read(ref _ms) / 1000.0;

        public void Raise(long ms)
        {
            var current = Volatile.Read(ref _ms);
            while (ms > current)
            {
                var seen = Interlocked.CompareExchange(ref _ms, ms, current);
                if (seen == current) return;
                current = seen;
            }
        }
    }
}
