using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;

namespace OrleansExemplars.LoadTool;

/// <summary>
/// Remote write 1.0 over HTTP, as Prometheus sends it. With <paramref name="retry"/>, a request that fails with 5xx,
/// 429 or a network error is sent again with the same bytes, as Prometheus' remote write does: after the answer's
/// <c>Retry-After</c> (seconds), else after a backoff of 30 ms doubling to 5 s, until it is acknowledged or
/// <paramref name="stopRetrying"/> fires; <paramref name="onRetry"/> hears of each resend. With several
/// <paramref name="urls"/>, shard k (request index mod <paramref name="shards"/>) goes to <c>urls[k mod n]</c>.
/// </summary>
internal sealed class HttpSender(IReadOnlyList<Uri> urls, int shards, int connections, bool retry = false, Action? onRetry = null,
    CancellationToken stopRetrying = default) : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<string?> SendAsync(EncodedRequest request)
    {
        var backoff = MinBackoff;
        while (true)
        {
            var (error, retryable, retryAfter) = await AttemptAsync(request);
            if (error is null || !retry || !retryable || stopRetrying.IsCancellationRequested) return error;
            onRetry?.Invoke();
            try
            {
                await Task.Delay(retryAfter ?? backoff, stopRetrying);
            }
            catch (OperationCanceledException)
            {
                return error;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<(string? Error, bool Retryable, TimeSpan? RetryAfter)> AttemptAsync(EncodedRequest request)
    {
        var content = new ByteArrayContent(request.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        try
        {
            var url = urls[(int)(request.Index % shards % urls.Count)];
            using var response = await _http.PostAsync(url, content);
            if (response.IsSuccessStatusCode) return (null, false, null);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero ? delta : (TimeSpan?)null;
            return ($"HTTP {status}: {(body.Length > 200 ? body[..200] : body)}", status is >= 500 or 429, retryAfter);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (e.Message, true, null);
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Remote write 1.0 snappy values on a Kafka topic, keyed by shard (the silo's Kafka provider reads them
/// by their headers).</summary>
internal sealed class KafkaSender(string bootstrap, string topic) : IAsyncDisposable
{
    private static readonly byte[] ContentType = Encoding.UTF8.GetBytes("application/x-protobuf");
    private static readonly byte[] Snappy = Encoding.UTF8.GetBytes("snappy");

    private readonly IProducer<byte[], byte[]> _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        ClientId = "orleans-exemplars-loadtool",
        Acks = Acks.All,
        // Retries can neither duplicate nor reorder a partition's messages: each series stays in timestamp order.
        EnableIdempotence = true,
        LingerMs = 5,
    }).Build();

    public async Task<string?> SendAsync(EncodedRequest request)
    {
        try
        {
            await _producer.ProduceAsync(topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(request.Key),
                Value = request.Body,
                Headers = new Headers { { "Content-Type", ContentType }, { "Content-Encoding", Snappy } },
            });
            return null;
        }
        catch (KafkaException e)
        {
            return e.Error.ToString();
        }
    }

    public ValueTask DisposeAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}
