namespace OrleansExemplars.Prometheus.Wire;

/// <summary>
/// Protobuf wire types, and the field tags (field number &lt;&lt; 3 | wire type) of <c>remote_write_v1.proto</c> that
/// the hand-written 1.0 reader, writer and label wire form use. Every field number is below 16, so every tag is
/// one byte. Used with <c>using static</c>.
/// </summary>
public static class RemoteWriteV1Tags
{
    public const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireStartGroup = 3,
        WireEndGroup = 4, WireFixed32 = 5;

    public const byte TimeSeriesTag = 1 << 3 | WireLengthDelimited;        // WriteRequest.timeseries
    public const byte MetadataTag = 3 << 3 | WireLengthDelimited;          // WriteRequest.metadata
    public const byte LabelsTag = 1 << 3 | WireLengthDelimited;            // TimeSeries.labels, Exemplar.labels
    public const byte SamplesTag = 2 << 3 | WireLengthDelimited;           // TimeSeries.samples
    public const byte ExemplarsTag = 3 << 3 | WireLengthDelimited;         // TimeSeries.exemplars
    public const byte HistogramsTag = 4 << 3 | WireLengthDelimited;        // TimeSeries.histograms
    public const byte NameTag = 1 << 3 | WireLengthDelimited;         // Label.name
    public const byte ValueTag = 2 << 3 | WireLengthDelimited;        // Label.value
    public const byte SampleValueTag = 1 << 3 | WireFixed64;               // Sample.value (double)
    public const byte SampleTsTag = 2 << 3 | WireVarint;            // Sample.timestamp (int64)
    public const byte ExemplarValueTag = 2 << 3 | WireFixed64;             // Exemplar.value (double)
    public const byte ExemplarTsTag = 3 << 3 | WireVarint;          // Exemplar.timestamp (int64)
}
