using Xunit;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// Tests whose silos consume Kafka run one at a time: they read the process-wide meters (which every in-process silo
/// reports to), and two Kafka-heavy clusters at once on two cores only slow each other down.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection
{
    public const string Name = "Kafka-consuming silos";
}
