using Microsoft.Extensions.Options;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Integration;

/// <summary>A bad setting stops start-up with a message naming its key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Api:QueryConcurrency", "0")]
    [InlineData("Api:MaxRequestBytes", "12")]
    [InlineData("Exemplars:MaxExemplarsPerMetric", "-1")]
    [InlineData("Exemplars:MaxExemplarsPerMetric", "500001")]
    [InlineData("Exemplars:Retention", "00:00:00.500")]
    [InlineData("Exemplars:Retention", "-00:00:01")]
    [InlineData("Ingest:MaxMetricNameLength", "0")]
    [InlineData("Ingest:MaxMetricNameLength", "16385")]
    [InlineData("Ingest:MaxLabelNameLength", "0")]
    [InlineData("Ingest:MaxLabelValueLength", "0")]
    public async Task Out_of_range_values_fail_start_up_naming_the_key(string key, string value)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });
        Assert.Contains(key, Flatten(e));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_fails_start_up_naming_the_key()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(
                settings: new Dictionary<string, string?> { ["Exemplars:MaxExemplarsPerMetric"] = "lots" });
        });
        Assert.Contains("Exemplars:MaxExemplarsPerMetric", Flatten(e));
    }

    [Fact]
    public async Task Kafka_without_topics_fails_start_up_naming_the_key()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(
                settings: new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = "127.0.0.1:1" });
        });
        Assert.Contains("Kafka:Topics", Flatten(e));
    }

    [Fact]
    public async Task A_topic_with_more_partitions_than_queue_slots_fails_start_up_naming_the_key()
    {
        using var kafka = new KafkaMockCluster();
        await kafka.ProduceAsync("four-partitions", 3, [0x0a, 0x00]);
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
                ["Kafka:Topics:0"] = "four-partitions",
                ["Kafka:PartitionSlotsPerTopic"] = "2",
            });
        });
        Assert.Contains("Kafka:PartitionSlotsPerTopic", Flatten(e));
    }

    [Theory]
    [InlineData("Storage:Provider", "Tape", "Storage:Provider")]
    [InlineData("Storage:Provider", "AzureBlob", "Storage:AzureBlob:ConnectionString")]
    [InlineData("Storage:File:Directory", "", "Storage:File:Directory")]
    [InlineData("Storage:File:Directory", "bad\0path", "Storage:File:Directory")]
    public async Task A_bad_grain_storage_setting_fails_start_up_naming_the_key(string key, string value, string named)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });
        Assert.Contains(named, Flatten(e));
    }

    [Fact]
    public async Task A_grain_storage_directory_that_is_a_file_fails_start_up_naming_the_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var system = await ExemplarSystem.StartAsync(
                    settings: new Dictionary<string, string?> { ["Storage:File:Directory"] = file });
            });
            Assert.Contains("Storage:File:Directory", Flatten(e));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Flatten(Exception e) => e switch
    {
        OptionsValidationException o => string.Join("; ", o.Failures) + " " + o.Message,
        AggregateException a => string.Join(" | ", a.InnerExceptions.Select(Flatten)),
        _ => e.Message + (e.InnerException is null ? "" : " <- " + Flatten(e.InnerException)),
    };
}
