namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Configuration section <c>RemoteWrite</c>, as Prometheus' <c>remote_write</c>: the TSDBs every sample is forwarded
/// to, and how the forwarders batch. No endpoint: forwarding is off. The silo forwards (and validates the section at
/// start-up, with messages naming the full key: <c>RemoteWriteOptionsValidator</c>); the API host reads it for the
/// forwarder shards it hands samples to (<see cref="ForwardShards"/>).
/// </summary>
public sealed class RemoteWriteOptions
{
    public const string SectionName = "RemoteWrite";

    public const int DefaultShards = 16;

    /// <summary>The endpoints (<c>RemoteWrite:Endpoints:0:Url=…</c>); each gets every sample.</summary>
    public List<RemoteWriteEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>Parallel send queues per endpoint (Prometheus' <c>max_shards</c>); a series always uses the same one.</summary>
    public int Shards { get; set; } = DefaultShards;

    /// <summary>The forwarder shards samples go to: <see cref="Shards"/>, or 0 when no endpoint is configured.</summary>
    public int ForwardShards => Endpoints.Count > 0 ? Shards : 0;

    /// <summary>Most samples in one remote-write request (Prometheus' <c>max_samples_per_send</c>).</summary>
    public int MaxSamplesPerSend { get; set; } = 2000;

    /// <summary>Longest a sample waits for its batch to fill before the batch is sent anyway (<c>batch_send_deadline</c>).</summary>
    public TimeSpan BatchSendDeadline { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most memory (estimated) a silo holds in its forward queues before <c>/api/v1/write</c> is answered 503 with
    /// <c>Retry-After</c> (see <c>ForwardQueueBudget</c>); Kafka deliveries count against it but are never refused.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 256L * 1024 * 1024;
}

/// <summary>The remote-write protocol version an endpoint speaks.</summary>
public enum RemoteWriteProtocol
{
    /// <summary>Remote write 1.0: <c>prometheus.WriteRequest</c>, understood by every receiver.</summary>
    V1,

    /// <summary>Remote write 2.0: <c>io.prometheus.write.v2.Request</c> with a symbol table.</summary>
    V2,
}

/// <summary>One remote-write endpoint (<c>RemoteWrite:Endpoints:N</c>), as Prometheus' <c>remote_write</c> entry.</summary>
public sealed class RemoteWriteEndpointOptions
{
    /// <summary>Names the endpoint in metrics (tag <c>endpoint</c>) and logs; default: <c>host:port</c> of <see cref="Url"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Absolute http(s) URL of the receiver, e.g. <c>http://victoria:8428/api/v1/write</c>.</summary>
    public string Url { get; set; } = "";

    public RemoteWriteProtocol Protocol { get; set; } = RemoteWriteProtocol.V1;

    /// <summary>Whether exemplars are sent along with samples (Prometheus' <c>send_exemplars</c>).</summary>
    public bool SendExemplars { get; set; }

    /// <summary>Extra request headers (e.g. a tenant header). Headers the protocol or auth own are refused.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string? BasicAuthUsername { get; set; }

    public string? BasicAuthPassword { get; set; }

    /// <summary>File holding the basic-auth password; read at every attempt (so rotation works), whitespace trimmed.</summary>
    public string? BasicAuthPasswordFile { get; set; }

    public string? BearerToken { get; set; }

    /// <summary>File holding the bearer token; read at every attempt (so rotation works), whitespace trimmed.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>Timeout of one attempt (connect, send, response headers); a timed-out attempt is retried.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base (median first) delay of the jittered exponential backoff between attempts.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Cap of the backoff (a <c>Retry-After</c> from the receiver is honoured even when longer).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after the first attempt before a batch is dropped; null (default): retry forever.</summary>
    public int? MaxRetries { get; set; }

    /// <summary><see cref="Name"/>'s default for <paramref name="url"/>: its <c>host:port</c>, or the URL itself if it does not parse.</summary>
    public static string DefaultName(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host)
            ? $"{uri.Host}:{uri.Port}"
            : url ?? "";
}
