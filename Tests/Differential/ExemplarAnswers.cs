using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// Compares a <c>query_exemplars</c> answer of Prometheus with ours: same status; for 200 the same exemplars (series
/// sorted by labels, values and timestamps compared as numbers); for errors the same errorType.
/// </summary>
public static class ExemplarAnswers
{
    public static async Task AssertSameAsync(HttpResponseMessage theirs, HttpResponseMessage ours, string what)
    {
        var theirBody = await theirs.Content.ReadAsStringAsync();
        var ourBody = await ours.Content.ReadAsStringAsync();
        Assert.True(theirs.StatusCode == ours.StatusCode,
            $"{what}: Prometheus {(int)theirs.StatusCode} {theirBody}\n     ours {(int)ours.StatusCode} {ourBody}");
        if (theirs.StatusCode == HttpStatusCode.NoContent)
        {
            Assert.Equal("", ourBody);
            return;
        }
        using var theirJson = JsonDocument.Parse(theirBody);
        using var ourJson = JsonDocument.Parse(ourBody);
        if (theirs.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal("error", ourJson.RootElement.GetProperty("status").GetString());
            Assert.Equal(theirJson.RootElement.GetProperty("errorType").GetString(),
                ourJson.RootElement.GetProperty("errorType").GetString());
            return;
        }
        var expected = Normalize(theirJson.RootElement);
        var actual = Normalize(ourJson.RootElement);
        Assert.True(expected.Count > 0 || what.Contains("nonexistent"), $"{what}: Prometheus found nothing; the corpus is wrong");
        Assert.Equal(expected, actual);
    }

    /// <summary>One line per exemplar, series sorted by their labels; numbers parsed so 1.5 equals 1.500.</summary>
    public static List<string> Normalize(JsonElement root)
    {
        Assert.Equal("success", root.GetProperty("status").GetString());
        var lines = new List<(string Series, List<string> Exemplars)>();
        foreach (var series in root.GetProperty("data").EnumerateArray())
        {
            var seriesKey = Labels(series.GetProperty("seriesLabels"));
            var exemplars = series.GetProperty("exemplars").EnumerateArray().Select(e =>
                $"{Labels(e.GetProperty("labels"))} value={Number(e.GetProperty("value").GetString()!)} " +
                $"ts={decimal.Parse(e.GetProperty("timestamp").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)}").ToList();
            lines.Add((seriesKey, exemplars));
        }
        return lines.OrderBy(l => l.Series, StringComparer.Ordinal)
            .SelectMany(l => l.Exemplars.Select(e => l.Series + " " + e)).ToList();
    }

    private static string Labels(JsonElement labels) =>
        "{" + string.Join(",", labels.EnumerateObject().Select(p => $"{p.Name}={JsonSerializer.Serialize(p.Value.GetString())}")
            .Order(StringComparer.Ordinal)) + "}";

    private static string Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : value; // NaN / +Inf / -Inf stay as spelled

    /// <summary>How many exemplars a successful answer holds.</summary>
    public static int Count(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").EnumerateArray().Sum(s => s.GetProperty("exemplars").GetArrayLength());
    }
}
