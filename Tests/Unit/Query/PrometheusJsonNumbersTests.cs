using System.Text;
using OrleansExemplars.Prometheus.Json;
using Xunit;

namespace OrleansExemplars.Tests.Query;

/// <summary>The span writers spell every number exactly as the string formatters (Prometheus' spelling) do.</summary>
public sealed class PrometheusJsonNumbersTests
{
    private static readonly double[] EdgeValues =
    [
        0, -0.0, 1, -1, 0.5, 6, 1e-6, 9.99999e-7, 1e-7, 1e21, 9.999e20, 1e20, 123456789012345678, double.Epsilon,
        double.MaxValue, double.MinValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.1, 1.0 / 3,
        -2.5e-10, 13.446554, 1e100, 5e-324, 100, 1234.5,
    ];

    private static readonly long[] EdgeTimestamps =
        [0, 1, -1, 999, 1000, 1001, -999, -1000, -1001, 1600096945479, long.MaxValue, long.MinValue, long.MinValue + 1, 5, 50];

    [Fact]
    public void Values_are_spelled_as_FormatValue_spells_them()
    {
        var random = new Random(8);
        var values = EdgeValues.Concat(Enumerable.Range(0, 20000).Select(_ => RandomDouble(random)));
        Span<byte> buffer = stackalloc byte[PrometheusJsonNumbers.MaxLength];
        foreach (var v in values)
        {
            var n = PrometheusJsonNumbers.WriteValue(v, buffer);
            Assert.Equal(PrometheusNumberOracle.FormatValue(v), Encoding.ASCII.GetString(buffer[..n]));
        }
    }

    [Fact]
    public void Timestamps_are_spelled_as_FormatTimestamp_spells_them()
    {
        var random = new Random(9);
        var values = EdgeTimestamps.Concat(Enumerable.Range(0, 20000).Select(i => i % 2 == 0 ? random.NextInt64() : random.NextInt64(-5000, 5000)));
        Span<byte> buffer = stackalloc byte[PrometheusJsonNumbers.MaxLength];
        foreach (var ms in values)
        {
            var n = PrometheusJsonNumbers.WriteTimestamp(ms, buffer);
            Assert.Equal(PrometheusNumberOracle.FormatTimestamp(ms), Encoding.ASCII.GetString(buffer[..n]));
        }
    }

    /// <summary>Any bit pattern (all exponents, NaN payloads) half the time, everyday magnitudes the other half.</summary>
    private static double RandomDouble(Random random) => random.Next(3) switch
    {
        0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
        1 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 8)), random.Next(0, 10)) * (random.Next(2) == 0 ? 1 : -1),
        _ => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
    };
}
