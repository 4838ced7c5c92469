using System.Collections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// One <see cref="RemoteWriteSender"/> per configured endpoint, in configuration order and by name. Empty when
/// forwarding is off (no <c>RemoteWrite:Endpoints</c>). A singleton; resolving it validates the options.
/// </summary>
public sealed class RemoteWriteSenders : IReadOnlyList<RemoteWriteSender>
{
    private readonly RemoteWriteSender[] _senders;
    private readonly Dictionary<string, RemoteWriteSender> _byName = new(StringComparer.Ordinal);

    internal RemoteWriteSenders(IOptions<RemoteWriteOptions> options, int registeredClients,
        IHttpClientFactory httpClientFactory, RemoteWriteMetrics metrics, ILoggerFactory loggerFactory)
    {
        var endpoints = options.Value.Endpoints;
        if (endpoints.Count > registeredClients)
        {
            // A sender without its configured client would have no retries: refuse rather than lose data.
            throw new InvalidOperationException(
                $"{RemoteWriteOptions.SectionName}:Endpoints has {endpoints.Count} entries but the configuration given to " +
                $"AddRemoteWriteForwarding had {registeredClients}: endpoints must come from that configuration.");
        }
        var logger = loggerFactory.CreateLogger<RemoteWriteSender>();
        _senders = new RemoteWriteSender[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            var name = endpoint.Name ?? RemoteWriteEndpointOptions.DefaultName(endpoint.Url);
            _senders[i] = new RemoteWriteSender(name, endpoint, HttpClientName(i), httpClientFactory, metrics, logger);
            _byName.Add(name, _senders[i]);
        }
    }

    /// <summary>The <see cref="IHttpClientFactory"/> name of the client of endpoint <paramref name="index"/>.</summary>
    public static string HttpClientName(int index) => $"OrleansExemplars.RemoteWrite.{index}";

    public int Count => _senders.Length;

    public RemoteWriteSender this[int index] => _senders[index];

    /// <summary>The sender of the endpoint named <paramref name="name"/>.</summary>
    public RemoteWriteSender this[string name] =>
        _byName.TryGetValue(name, out var sender) ? sender : throw new KeyNotFoundException($"no remote-write endpoint named \"{name}\"");

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out RemoteWriteSender sender) =>
        _byName.TryGetValue(name, out sender);

    public IEnumerable<string> Names => _senders.Select(s => s.Name);

    public IEnumerator<RemoteWriteSender> GetEnumerator() => ((IEnumerable<RemoteWriteSender>)_senders).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
