using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Configuration section <c>Kafka</c>: the topics of Prometheus remote-write messages this cluster consumes. Kafka is
/// off while <see cref="BootstrapServers"/> is empty.
/// </summary>
public sealed class KafkaStreamOptions : IValidatableObject
{
    public const string SectionName = "Kafka";

    /// <summary>librdkafka's <c>bootstrap.servers</c>, e.g. <c>broker1:9092,broker2:9092</c>.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Topics holding remote-write messages.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>Consumer group whose committed offsets record how far the cluster has safely got.</summary>
    public string ConsumerGroup { get; set; } = "orleans-exemplars";

    /// <summary>Where undecodable messages go, with headers naming the reason and their origin.</summary>
    public string DeadLetterTopic { get; set; } = "orleans-exemplars-dead-letter";

    /// <summary>Most messages one poll of one partition takes (they are grouped by metric across the whole poll).</summary>
    [Range(1, 100_000, ErrorMessage = "Kafka:PollBatchSize must be between {1} and {2}.")]
    public int PollBatchSize { get; set; } = 500;

    /// <summary>How long one poll waits for its first message before giving the partition's turn back.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Kafka:PollTimeout must be between {1} and {2}.")]
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Where a partition without a committed offset starts: Earliest (default), Latest or Error.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>
    /// Orleans queues per topic; partition p of a topic is queue slot p. It bounds the partitions a topic may have and
    /// must be the same on every silo; partitions added later up to it are picked up without a restart.
    /// </summary>
    [Range(1, 4096, ErrorMessage = "Kafka:PartitionSlotsPerTopic must be between {1} and {2}.")]
    public int PartitionSlotsPerTopic { get; set; } = 32;

    /// <summary>How often delivered offsets are committed (librdkafka's auto.commit.interval.ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Kafka:CommitInterval must be between {1} and {2}.")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often partition counts are re-read, to start consuming partitions added to a topic.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Kafka:MetadataRefreshInterval must be between {1} and {2}.")]
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest message accepted, decompressed; larger ones are dead-lettered.</summary>
    [Range(1024, int.MaxValue / 2, ErrorMessage = "Kafka:MaxMessageBytes must be between {1} and {2}.")]
    public int MaxMessageBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Passed to librdkafka unchanged for every client (consumers, the dead-letter producer, metadata): security
    /// (<c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>…), TLS, tuning.
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(BootstrapServers);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult("Kafka:Topics must list at least one topic (Kafka:Topics:0=…) when Kafka:BootstrapServers is set.",
                [nameof(Topics)]);
        }
        if (Topics.Distinct(StringComparer.Ordinal).Count() != Topics.Count)
        {
            yield return new ValidationResult("Kafka:Topics must not repeat a topic.", [nameof(Topics)]);
        }
        if (string.IsNullOrWhiteSpace(ConsumerGroup))
        {
            yield return new ValidationResult("Kafka:ConsumerGroup must not be empty.", [nameof(ConsumerGroup)]);
        }
        if (string.IsNullOrWhiteSpace(DeadLetterTopic) || Topics.Contains(DeadLetterTopic))
        {
            yield return new ValidationResult("Kafka:DeadLetterTopic must be set and must not be one of Kafka:Topics.",
                [nameof(DeadLetterTopic)]);
        }
        foreach (var key in new[] { "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store" })
        {
            if (Properties.ContainsKey(key))
            {
                yield return new ValidationResult($"Kafka:Properties:{key} is set by OrleansExemplars itself; remove it.",
                    [nameof(Properties)]);
            }
        }
    }

    /// <summary>The client settings every Kafka client of the provider starts from.</summary>
    public Dictionary<string, string> ClientConfig()
    {
        var config = new Dictionary<string, string>(Properties, StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = BootstrapServers,
        };
        return config;
    }
}
