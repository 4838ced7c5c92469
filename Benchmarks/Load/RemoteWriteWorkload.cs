using System.Globalization;
using Google.Protobuf;
using OrleansExemplars.GrainInterfaces.RemoteWrite;
using OrleansExemplars.GrainInterfaces.RemoteWrite.V1;

namespace OrleansExemplars.Benchmarks.Load;

/// <summary>The load tools' remote-write payloads, pre-encoded so the sender spends no CPU on them while measuring.</summary>
public static class RemoteWriteWorkload
{
    /// <summary>
    /// <paramref name="requests"/> snappy remote-write 1.0 bodies shaped like Prometheus' sends: each with the same
    /// <paramref name="series"/> series (5 labels) and one sample each at a fresh timestamp, and
    /// <paramref name="exemplarsPerRequest"/> of them carrying an exemplar (32-hex trace id, 16-hex span id).
    /// Series of each call are new (a random <c>run</c> label), so a second run appends instead of being out of order.
    /// </summary>
    public static byte[][] Encode(int requests, int series, int exemplarsPerRequest, int metrics)
    {
        var random = new Random(42);
        var baseTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - requests * 1000L;
        var stride = Math.Max(1, series / Math.Max(1, exemplarsPerRequest));
        var run = Convert.ToHexStringLower(RandomBytes(new Random(), 4));
        var labels = Enumerable.Range(0, series).Select(i => new[]
        {
            Label("__name__", $"load_metric_{i % metrics}_seconds_bucket"),
            Label("instance", "loadgen:9100"),
            Label("job", "load"),
            Label("run", run),
            Label("le", (i % 10 * 0.1).ToString("0.0", CultureInfo.InvariantCulture)),
            Label("series", i.ToString(CultureInfo.InvariantCulture)),
        }).ToArray();
        var bodies = new byte[requests][];
        for (var r = 0; r < requests; r++)
        {
            var ts = baseTs + r * 1000L;
            var request = new WriteRequest();
            var exemplars = 0;
            for (var i = 0; i < series; i++)
            {
                var timeSeries = new TimeSeries();
                timeSeries.Labels.AddRange(labels[i]);
                timeSeries.Samples.Add(new Sample { Value = r + i, Timestamp = ts });
                if ((i + r) % stride == 0 && exemplars < exemplarsPerRequest)
                {
                    var exemplar = new Exemplar { Value = random.NextDouble(), Timestamp = ts };
                    exemplar.Labels.Add(Label("trace_id", Convert.ToHexStringLower(RandomBytes(random, 16))));
                    exemplar.Labels.Add(Label("span_id", Convert.ToHexStringLower(RandomBytes(random, 8))));
                    timeSeries.Exemplars.Add(exemplar);
                    exemplars++;
                }
                request.Timeseries.Add(timeSeries);
            }
            bodies[r] = RemoteWriteDecoder.EncodeSnappy(request);
        }
        return bodies;
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Label Label(string name, string value) =>
        new() { Name = ByteString.CopyFromUtf8(name), Value = ByteString.CopyFromUtf8(value) };
}
