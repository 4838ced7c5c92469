using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>The dead-letter topic did not take a message; its partition waits and retries rather than skip it.</summary>
public sealed class KafkaDeadLetterException(string message, KafkaException inner) : Exception(message, inner);
