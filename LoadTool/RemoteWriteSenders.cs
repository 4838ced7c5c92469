using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;

namespace OrleansExemplars.LoadTool;

/// <summary>Remote write 1.0 over HTTP, as Prometheus sends it.</summary>
internal sealed class HttpSender(Uri url, int connections) : IAsyncDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<string?> SendAsync(EncodedRequest request)
    {
        var content = new ByteArrayContent(request.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        try
        {
            using var response = await _http.PostAsync(url, content);
            if (response.IsSuccessStatusCode) return null;
            var body = await response.Content.ReadAsStringAsync();
            return $"HTTP {(int)response.StatusCode}: {(body.Length > 200 ? body[..200] : body)}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.Message;
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
