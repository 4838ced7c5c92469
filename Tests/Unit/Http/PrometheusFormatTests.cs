using OrleansExemplars.ApiHost.Query;
using OrleansExemplars.Tests.Query;
using Xunit;

namespace OrleansExemplars.Tests.Http;

/// <summary>Expected strings are what Go's strconv / Prometheus' jsonutil print for the same inputs.</summary>
public sealed class PrometheusFormatTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1, "1")]
    [InlineData(100, "100")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(0.000123, "0.000123")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(2.5e22, "2.5e+22")]
    [InlineData(1e100, "1e+100")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.0, "0")]
    public void Values_are_formatted_as_Go_formats_them(double value, string expected) =>
        Assert.Equal(expected, PrometheusNumberOracle.FormatValue(value));

    [Theory]
    [InlineData(1600096945479, "1600096945.479")]
    [InlineData(1000, "1")]
    [InlineData(1001, "1.001")]
    [InlineData(1010, "1.010")]
    [InlineData(1500, "1.500")]
    [InlineData(0, "0")]
    [InlineData(-1500, "-1.500")]
    [InlineData(-5, "-0.005")]
    public void Timestamps_are_seconds_with_three_decimals_when_not_whole(long ms, string expected) =>
        Assert.Equal(expected, PrometheusNumberOracle.FormatTimestamp(ms));

    [Theory]
    [InlineData("1632980302.123", 1632980302123)]
    [InlineData("1632980302", 1632980302000)]
    [InlineData("1632980302.1239", 1632980302124)]
    [InlineData("1e3", 1000000)]
    [InlineData("-1.5", -1500)]
    [InlineData("2021-09-30T05:38:22.123Z", 1632980302123)]
    [InlineData("2021-09-30T13:38:22+08:00", 1632980302000)]
    [InlineData("-292273086-05-16T16:47:06Z", PrometheusTime.MinTimeMs)]
    [InlineData("292277025-08-18T07:12:54.999999999Z", PrometheusTime.MaxTimeMs)]
    public void Times_parse_as_Prometheus_parses_them(string value, long expectedMs)
    {
        Assert.True(PrometheusTime.TryParse(value, out var ms));
        Assert.Equal(expectedMs, ms);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2021-09-30")]
    [InlineData("2021-09-30 05:38:22Z")]
    [InlineData("NaN")]
    public void Bad_times_are_refused_with_Prometheus_message(string value)
    {
        Assert.False(PrometheusTime.TryParseParam(value, "start", 0, out _, out var error));
        Assert.Equal($"invalid parameter \"start\": cannot parse \"{value}\" to a valid timestamp", error);
    }

    [Fact]
    public void An_absent_time_takes_the_default()
    {
        Assert.True(PrometheusTime.TryParseParam(null, "end", PrometheusTime.MaxTimeMs, out var ms, out _));
        Assert.Equal(PrometheusTime.MaxTimeMs, ms);
    }
}
