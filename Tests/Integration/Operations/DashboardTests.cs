using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// The Orleans dashboard as a person sees it: the real silo and API host processes, a write so the exemplar grains
/// activate, then Debian's headless Chromium renders the dashboard's Grains page. The screenshots stay in
/// <c>TestResults/dashboard/</c> of the checkout for a human to look at.
/// </summary>
public sealed partial class DashboardTests(ITestOutputHelper output)
{
    private const int Width = 1400, Height = 1000;

    [Theory]
    [InlineData("", "dashboard")]
    [InlineData("/ops/orleans", "dashboard-prefixed")]
    public async Task The_silo_serves_the_dashboard_and_chromium_renders_the_exemplar_grain_types(string routePrefix, string artifact)
    {
        var chromium = HeadlessChromium.Binary; // missing is a failure, never a skip
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };
        var apiPort = FreePort.Next();
        var siloPort = FreePort.Next();
        var siloEnvironment = new Dictionary<string, string>(cluster) { ["Urls"] = $"http://127.0.0.1:{siloPort}" };
        if (routePrefix.Length > 0) siloEnvironment["Dashboard__RoutePrefix"] = routePrefix;
        await using var silo = HostProcess.Start("Silo", siloEnvironment);
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var dashboard = new Uri($"http://127.0.0.1:{siloPort}{routePrefix}/");

        // Traffic: one remote write through the API host activates a MetricGrain and a MetricCatalogGrain.
        var request = Request(Series(("__name__", "dashboard_metric"), ("job", "d")).WithSample(1, 1000)
            .WithExemplar(2.5, 1234, ("trace_id", "dash")));
        HttpStatusCode? status = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && status != HttpStatusCode.NoContent)
        {
            Assert.False(silo.HasExited, "silo exited: " + silo.Output);
            Assert.False(api.HasExited, "api host exited: " + api.Output);
            try
            {
                using var response = await http.PostAsync($"http://127.0.0.1:{apiPort}/api/v1/write", SnappyContent(request));
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (status != HttpStatusCode.NoContent) await Task.Delay(500);
        }
        Assert.True(status == HttpStatusCode.NoContent, $"no successful write within 90 s (last {status})\n{silo.Output}\n{api.Output}");

        // What to expect: the dashboard's own JSON names the grain types once its counters have sampled them.
        string[] ours = ["OrleansExemplars.Grains.MetricGrain", "OrleansExemplars.Grains.MetricCatalogGrain"];
        var counted = await EventuallyAsync(async () =>
        {
            using var counters = JsonDocument.Parse(await http.GetStringAsync(new Uri(dashboard, "DashboardCounters")));
            var types = counters.RootElement.GetProperty("simpleGrainStats").EnumerateArray()
                .Select(g => g.GetProperty("grainType").GetString()).ToHashSet();
            return ours.All(types.Contains);
        }, TimeSpan.FromSeconds(30));
        Assert.True(counted, "the dashboard's counters never listed " + string.Join(", ", ours));
        if (routePrefix.Length > 0)
        {
            using var root = await http.GetAsync($"http://127.0.0.1:{siloPort}/");
            Assert.Equal(HttpStatusCode.NotFound, root.StatusCode); // the dashboard moved, it is not also at the root
        }

        // What the browser rendered: the Grains page lists each type as a link to its detail page, named by its class.
        var grainsPage = new Uri(dashboard, "#/grains");
        var directory = ArtifactDirectory();
        Dictionary<string, string> rendered = [];
        string dom = "";
        for (var attempt = 1; attempt <= 3 && !ours.All(rendered.ContainsKey); attempt++)
        {
            dom = await HeadlessChromium.DumpDomAsync(grainsPage, TimeSpan.FromSeconds(5 * attempt), TimeSpan.FromSeconds(90));
            rendered = GrainLink().Matches(dom).GroupBy(m => m.Groups["type"].Value)
                .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups["name"].Value.Trim()));
        }
        await File.WriteAllTextAsync(Path.Combine(directory, artifact + ".html"), dom);
        Assert.True(ours.All(rendered.ContainsKey),
            $"the rendered Grains page lists {string.Join(", ", rendered.Keys)}; DOM in {Path.Combine(directory, artifact + ".html")}");
        Assert.Equal("MetricGrain", rendered["OrleansExemplars.Grains.MetricGrain"]);
        Assert.Equal("MetricCatalogGrain", rendered["OrleansExemplars.Grains.MetricCatalogGrain"]);
        Assert.Contains("Activations by Type", dom);

        // The picture: a real PNG of the requested size, with a page on it rather than a blank canvas.
        var png = Path.Combine(directory, artifact + ".png");
        await HeadlessChromium.ScreenshotAsync(grainsPage, png, Width, Height, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90));
        output.WriteLine($"dashboard screenshot ({chromium}): {png}");
        Console.WriteLine($"dashboard screenshot: {png}"); // also in the console log of ./test.sh
        var image = PngImage.Read(await File.ReadAllBytesAsync(png));
        Assert.Equal((Width, Height), (image.Width, image.Height));
        var histogram = image.Pixels.GroupBy(p => p).Select(g => g.Count()).OrderDescending().ToList();
        output.WriteLine($"{histogram.Count} colours, the commonest on {100.0 * histogram[0] / image.Pixels.Length:0.0}% of the pixels");
        Assert.True(histogram.Count >= 64, $"{png}: only {histogram.Count} colours, a blank or nearly blank render");
        Assert.True(histogram[0] < image.Pixels.Length * 0.9, $"{png}: one colour covers {100.0 * histogram[0] / image.Pixels.Length:0}% of it");
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("/dashboard", true)]
    [InlineData("/ops/orleans", true)]
    [InlineData("/a.b_c-D9", true)]
    [InlineData("dashboard", false)]
    [InlineData("/", false)]
    [InlineData("/dashboard/", false)]
    [InlineData("/a//b", false)]
    [InlineData("/..", false)]
    [InlineData("/a/./b", false)]
    [InlineData("/a b", false)]
    [InlineData("/dash?x=1", false)]
    [InlineData("/metrics", false)]
    [InlineData("/Metrics/x", false)]
    [InlineData("/-/healthy", false)]
    [InlineData("/-", false)]
    public void The_route_prefix_is_a_plain_path_that_shadows_no_silo_endpoint(string prefix, bool valid)
    {
        var settings = new Silo.Hosting.SiloDashboardOptions { RoutePrefix = prefix };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var ok = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(settings,
            new System.ComponentModel.DataAnnotations.ValidationContext(settings), results, validateAllProperties: true);
        Assert.Equal(valid, ok);
        Assert.All(results, r => Assert.Contains("Dashboard:RoutePrefix", r.ErrorMessage));
    }

    /// <summary><c>TestResults/dashboard/</c> at the root of the checkout (ignored by git).</summary>
    private static string ArtifactDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found");
        return Directory.CreateDirectory(Path.Combine(root, "TestResults", "dashboard")).FullName;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                if (await condition()) return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
            }
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(500);
        }
    }

    /// <summary>The dashboard's grain-type link: <c>&lt;a href="#/grain/Full.Type.Name" …&gt;ShortName&lt;/a&gt;</c>.</summary>
    [GeneratedRegex("""<a href="#/grain/(?<type>[^"]+)"[^>]*>(?<name>[^<]+)</a>""")]
    private static partial Regex GrainLink();
}
