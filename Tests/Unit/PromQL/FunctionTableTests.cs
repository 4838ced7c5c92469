using OrleansExemplars.Prometheus.PromQL;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

public class FunctionTableTests
{
    [Fact]
    public void HasThePrometheus242Functions()
    {
        Assert.Equal(70, Functions.All.Count);
        Assert.All(Functions.All, kv => Assert.Equal(kv.Key, kv.Value.Name));
        Assert.False(Functions.TryGet("sort_by_label", out _)); // experimental functions came after 2.42
        Assert.False(Functions.TryGet("mad_over_time", out _));
    }

    [Theory]
    [InlineData("rate", "matrix", 0, "vector")]
    [InlineData("histogram_quantile", "scalar,vector", 0, "vector")]
    [InlineData("histogram_fraction", "scalar,scalar,vector", 0, "vector")]
    [InlineData("label_replace", "vector,string,string,string,string", 0, "vector")]
    [InlineData("label_join", "vector,string,string,string", -1, "vector")]
    [InlineData("round", "vector,scalar", 1, "vector")]
    [InlineData("hour", "vector", 1, "vector")]
    [InlineData("scalar", "vector", 0, "scalar")]
    [InlineData("time", "", 0, "scalar")]
    [InlineData("vector", "scalar", 0, "vector")]
    [InlineData("holt_winters", "matrix,scalar,scalar", 0, "vector")]
    [InlineData("quantile_over_time", "scalar,matrix", 0, "vector")]
    public void Signatures(string name, string args, int variadic, string returns)
    {
        Assert.True(Functions.TryGet(name, out var f));
        Assert.Equal(args, string.Join(",", f.ArgTypes.Select(t => t.InternalName())));
        Assert.Equal(variadic, f.Variadic);
        Assert.Equal(returns, f.ReturnType.InternalName());
    }

    [Theory]
    [InlineData("round(x)")]
    [InlineData("round(x, 5)")]
    [InlineData("day_of_week()")]
    [InlineData("day_of_week(x)")]
    [InlineData("label_join(x, \"d\", \",\")")]
    [InlineData("label_join(x, \"d\", \",\", \"a\", \"b\", \"c\", \"e\")")]
    [InlineData("pi()")]
    public void VariadicCalls(string expr) => Assert.Equal("OK", PromQLTestHelpers.Result(expr));
}
