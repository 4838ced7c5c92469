using Google.Protobuf;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.GrainInterfaces.RemoteWrite;

/// <summary>
/// Writes a remote-write 1.0 <c>WriteRequest</c> straight from <see cref="ForwardSeries"/> into one byte array, the
/// wire format of <c>remote_write_v1.proto</c> field for field, without building the generated message objects (a
/// <c>ByteString</c> and a <c>Label</c> per label was most of the cost of forwarding).
/// </summary>
public static class WriteRequestV1Writer
{
    private const int TimeSeriesField = 1;    // WriteRequest.timeseries
    private const int LabelsField = 1;        // TimeSeries.labels, Exemplar.labels
    private const int SamplesField = 2;       // TimeSeries.samples
    private const int ExemplarsField = 3;     // TimeSeries.exemplars
    private const int NameField = 1;          // Label.name
    private const int ValueField = 2;         // Label.value
    private const int DoubleField = 1;        // Sample.value
    private const int TimestampField = 2;     // Sample.timestamp
    private const int ExemplarValueField = 2; // Exemplar.value
    private const int ExemplarTsField = 3;    // Exemplar.timestamp

    /// <summary>The serialized request (not compressed) for the series that have samples or, when sent, exemplars.</summary>
    public static byte[] Write(IReadOnlyList<ForwardSeries> batch, bool sendExemplars)
    {
        var sizes = new int[batch.Count];
        var total = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!HasContent(batch[i], sendExemplars)) continue;
            sizes[i] = SeriesSize(batch[i], sendExemplars);
            total += Tag + CodedOutputStream.ComputeLengthSize(sizes[i]) + sizes[i];
        }
        var buffer = new byte[total];
        var output = new CodedOutputStream(buffer);
        for (var i = 0; i < batch.Count; i++)
        {
            if (!HasContent(batch[i], sendExemplars)) continue;
            output.WriteTag(TimeSeriesField, WireFormat.WireType.LengthDelimited);
            output.WriteLength(sizes[i]);
            WriteSeries(output, batch[i], sendExemplars);
        }
        output.Flush();
        return buffer;
    }

    public static bool HasContent(ForwardSeries series, bool sendExemplars) =>
        series.Samples.Length > 0 || (sendExemplars && series.Exemplars.Length > 0);

    // Every tag here has a field number below 16: one byte.
    private const int Tag = 1;

    private static int SeriesSize(ForwardSeries series, bool sendExemplars)
    {
        var size = LabelsSize(series.Labels);
        foreach (var s in series.Samples)
        {
            var sample = SampleSize(s.TimestampMs);
            size += Tag + CodedOutputStream.ComputeLengthSize(sample) + sample;
        }
        if (sendExemplars)
        {
            foreach (var e in series.Exemplars)
            {
                var exemplar = ExemplarSize(e);
                size += Tag + CodedOutputStream.ComputeLengthSize(exemplar) + exemplar;
            }
        }
        return size;
    }

    private static int LabelsSize(LabelSet labels)
    {
        var size = 0;
        foreach (ref readonly var label in labels.AsSpan())
        {
            var l = LabelSize(label);
            size += Tag + CodedOutputStream.ComputeLengthSize(l) + l;
        }
        return size;
    }

    private static int LabelSize(in Label label) =>
        Tag + CodedOutputStream.ComputeStringSize(label.Name) + Tag + CodedOutputStream.ComputeStringSize(label.Value);

    private static int SampleSize(long timestampMs) => Tag + 8 + Tag + CodedOutputStream.ComputeInt64Size(timestampMs);

    private static int ExemplarSize(in Exemplar e) =>
        LabelsSize(e.Labels) + Tag + 8 + Tag + CodedOutputStream.ComputeInt64Size(e.HasTimestamp ? e.TimestampMs : 0);

    private static void WriteSeries(CodedOutputStream output, ForwardSeries series, bool sendExemplars)
    {
        WriteLabels(output, series.Labels, LabelsField);
        foreach (var s in series.Samples)
        {
            output.WriteTag(SamplesField, WireFormat.WireType.LengthDelimited);
            output.WriteLength(SampleSize(s.TimestampMs));
            output.WriteTag(DoubleField, WireFormat.WireType.Fixed64);
            output.WriteDouble(s.Value);
            output.WriteTag(TimestampField, WireFormat.WireType.Varint);
            output.WriteInt64(s.TimestampMs);
        }
        if (!sendExemplars) return;
        foreach (var e in series.Exemplars)
        {
            output.WriteTag(ExemplarsField, WireFormat.WireType.LengthDelimited);
            output.WriteLength(ExemplarSize(e));
            WriteLabels(output, e.Labels, LabelsField);
            output.WriteTag(ExemplarValueField, WireFormat.WireType.Fixed64);
            output.WriteDouble(e.Value);
            output.WriteTag(ExemplarTsField, WireFormat.WireType.Varint);
            output.WriteInt64(e.HasTimestamp ? e.TimestampMs : 0);
        }
    }

    private static void WriteLabels(CodedOutputStream output, LabelSet labels, int field)
    {
        foreach (ref readonly var label in labels.AsSpan())
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteLength(LabelSize(label));
            output.WriteTag(NameField, WireFormat.WireType.LengthDelimited);
            output.WriteString(label.Name);
            output.WriteTag(ValueField, WireFormat.WireType.LengthDelimited);
            output.WriteString(label.Value);
        }
    }
}
