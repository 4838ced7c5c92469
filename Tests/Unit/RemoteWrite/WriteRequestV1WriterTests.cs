using CsCheck;
using Google.Protobuf;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>The hand-written 1.0 writer must produce what the generated protobuf code reads back as the same request.</summary>
public sealed class WriteRequestV1WriterTests
{
    [Fact]
    public void Written_requests_parse_back_to_the_same_series()
    {
        var batch = new[]
        {
            new ForwardSeries(LabelSet.From(("__name__", "m"), ("job", "中文 \"q\" 🚀")),
                [new Sample(1.5, 1_700_000_000_123), new Sample(double.NaN, 0), new Sample(-0.0, -5)],
                [new Exemplar(LabelSet.From(("trace_id", "abc")), 2, 1_700_000_000_100, true),
                 new Exemplar(LabelSet.Empty, 3, 0, false)]),
            new ForwardSeries(LabelSet.From(("__name__", "exemplars_only")), [],
                [new Exemplar(LabelSet.From(("trace_id", "x")), 1, 5, true)]),
        };
        AssertRoundTrip(batch, sendExemplars: true);
        AssertRoundTrip(batch, sendExemplars: false);
    }

    [Fact]
    public void Random_batches_round_trip() =>
        Gen.Select(Gen.String[0, 40], Gen.String[0, 40], Gen.Double, Gen.Long, Gen.Int[0, 4], Gen.Bool)
            .Select((name, value, v, ts, n, withExemplar) => new ForwardSeries(
                LabelSet.From(("__name__", "m" + name), ("l", value)),
                Enumerable.Range(0, n).Select(i => new Sample(v + i, ts + i)).ToArray(),
                withExemplar ? [new Exemplar(LabelSet.From(("trace_id", value)), v, ts, ts != 0)] : []))
            .Array[0, 20]
            .Sample(batch => AssertRoundTrip(batch, sendExemplars: true), iter: 300);

    private static void AssertRoundTrip(IReadOnlyList<ForwardSeries> batch, bool sendExemplars)
    {
        var expected = new V1.WriteRequest();
        foreach (var series in batch.Where(s => WriteRequestV1Writer.HasContent(s, sendExemplars)))
        {
            var ts = new V1.TimeSeries();
            ts.Labels.AddRange(series.Labels.AsSpan().ToArray().Select(Label));
            ts.Samples.AddRange(series.Samples.Select(s => new V1.Sample { Value = s.Value, Timestamp = s.TimestampMs }));
            if (sendExemplars)
            {
                foreach (var e in series.Exemplars)
                {
                    var exemplar = new V1.Exemplar { Value = e.Value, Timestamp = e.HasTimestamp ? e.TimestampMs : 0 };
                    exemplar.Labels.AddRange(e.Labels.AsSpan().ToArray().Select(Label));
                    ts.Exemplars.Add(exemplar);
                }
            }
            expected.Timeseries.Add(ts);
        }
        var written = V1.WriteRequest.Parser.ParseFrom(WriteRequestV1Writer.Write(batch, sendExemplars));
        Assert.Equal(expected, written);
    }

    private static V1.Label Label(Label l) =>
        new() { Name = ByteString.CopyFromUtf8(l.Name), Value = ByteString.CopyFromUtf8(l.Value) };
}
