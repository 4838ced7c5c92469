using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.Support;

/// <summary>Builds remote-write 1.0 requests the way a sender (Prometheus) would.</summary>
public static class WriteRequests
{
    public static Label L(string name, string value) =>
        new() { Name = ByteString.CopyFromUtf8(name), Value = ByteString.CopyFromUtf8(value) };

    public static TimeSeries Series(params (string Name, string Value)[] labels)
    {
        var ts = new TimeSeries();
        ts.Labels.AddRange(labels.Select(l => L(l.Name, l.Value)));
        return ts;
    }

    public static TimeSeries WithSample(this TimeSeries ts, double value, long timestampMs)
    {
        ts.Samples.Add(new Sample { Value = value, Timestamp = timestampMs });
        return ts;
    }

    public static TimeSeries WithExemplar(this TimeSeries ts, double value, long timestampMs,
        params (string Name, string Value)[] labels)
    {
        var e = new Exemplar { Value = value, Timestamp = timestampMs };
        e.Labels.AddRange(labels.Select(l => L(l.Name, l.Value)));
        ts.Exemplars.Add(e);
        return ts;
    }

    public static WriteRequest Request(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.AddRange(series);
        return request;
    }

    public static HttpContent SnappyContent(WriteRequest request) => SnappyContent(request.ToByteArray());

    public static HttpContent SnappyContent(byte[] rawProtobuf)
    {
        var content = new ByteArrayContent(Snappier.Snappy.CompressToArray(rawProtobuf));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return content;
    }
}
