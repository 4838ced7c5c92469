using System.ComponentModel.DataAnnotations;
using OrleansExemplars.Silo.Kafka;
using Xunit;

namespace OrleansExemplars.Tests.Kafka;

public sealed class KafkaStreamOptionsTests
{
    [Fact]
    public void Kafka_is_off_without_bootstrap_servers_and_then_needs_nothing_else() =>
        Assert.Empty(Validate(new KafkaStreamOptions()));

    [Fact]
    public void With_bootstrap_servers_topics_are_required()
    {
        var errors = Validate(new KafkaStreamOptions { BootstrapServers = "b:9092" });
        Assert.Contains(errors, e => e.Contains("Kafka:Topics"));
    }

    [Theory]
    [InlineData("group.id")]
    [InlineData("enable.auto.offset.store")]
    public void Properties_the_provider_owns_are_refused_by_name(string key)
    {
        var options = new KafkaStreamOptions { BootstrapServers = "b:9092", Topics = ["t"] };
        options.Properties[key] = "x";
        Assert.Contains(Validate(options), e => e.Contains($"Kafka:Properties:{key}"));
    }

    [Fact]
    public void The_dead_letter_topic_must_not_be_a_consumed_topic() =>
        Assert.Contains(Validate(new KafkaStreamOptions { BootstrapServers = "b:9092", Topics = ["t"], DeadLetterTopic = "t" }),
            e => e.Contains("Kafka:DeadLetterTopic"));

    [Fact]
    public void Properties_reach_the_client_config_unchanged()
    {
        var options = new KafkaStreamOptions { BootstrapServers = "b:9092", Topics = ["t"] };
        options.Properties["security.protocol"] = "SASL_PLAINTEXT";
        options.Properties["sasl.username"] = "instanceId#userName";
        var config = options.ClientConfig();
        Assert.Equal("SASL_PLAINTEXT", config["security.protocol"]);
        Assert.Equal("instanceId#userName", config["sasl.username"]);
        Assert.Equal("b:9092", config["bootstrap.servers"]);
    }

    private static List<string> Validate(KafkaStreamOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
