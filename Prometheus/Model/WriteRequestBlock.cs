namespace OrleansExemplars.Prometheus.Model;

/// <summary>
/// A whole serialized remote-write 1.0 <c>WriteRequest</c> (uncompressed) that passed validation as it is, forwarded
/// byte for byte: serialized <c>WriteRequest</c>s concatenate into one valid <c>WriteRequest</c>, so a forwarder
/// appends these to its request body instead of decoding and re-encoding every series. The counts are what the
/// reader found in it.
/// </summary>
/// <param name="Bytes">The request's bytes: only sorted, unique, valid labels, no native histograms.</param>
/// <param name="Series">Series with samples or exemplars.</param>
/// <param name="HighestTimestampMs">Newest sample timestamp; null without samples.</param>
[GenerateSerializer, Immutable]
public sealed record WriteRequestBlock(
    [property: Id(0)] byte[] Bytes,
    [property: Id(1)] int Series,
    [property: Id(2)] int Samples,
    [property: Id(3)] int Exemplars,
    [property: Id(4)] long? HighestTimestampMs);
