using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Http;

/// <summary>
/// When the grains fail a request, the API host answers as Prometheus does: a 5xx with
/// <c>{"status":"error","errorType":…,"error":…}</c> that says what failed, never a bare 500. The faults are real: the
/// only silo stopped under a running API host (503), the grain storage (a real Azurite) stopped under a running silo
/// (500: the grain cannot activate), and a full disk (a tiny tmpfs) under the WAL and the file grain storage (500: the
/// grain took the write and could not make it durable).
/// </summary>
public sealed class ServerErrorBodyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_write_and_a_query_while_no_silo_answers_get_503_unavailable_with_a_prometheus_body()
    {
        await using var system = await ExemplarSystem.StartAsync();
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(OneExemplar("no_silo_metric", "a")))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await system.StopSiloAsync(0);

        using (var write = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(OneExemplar("no_silo_metric", "b")))))
        {
            await AssertErrorAsync(write, HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.NotNull(write.Headers.RetryAfter);
        }
        using (var query = await system.Http.GetAsync("api/v1/query_exemplars?query=no_silo_metric"))
        {
            await AssertErrorAsync(query, HttpStatusCode.ServiceUnavailable, "unavailable");
        }
    }

    [Fact]
    public async Task A_write_whose_metric_grain_cannot_read_its_stored_ring_gets_500_internal_with_a_prometheus_body()
    {
        var azurite = await AzuriteServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:ContainerName"] = "errors-test",
        });
        try
        {
            using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(OneExemplar("no_storage_metric", "a")))))
            {
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
            await system.DeactivateAsync(system.Client.GetGrain<IMetricGrain>("no_storage_metric")); // its ring is in the blob now
        }
        finally
        {
            await azurite.DisposeAsync(); // the outage: the next activation cannot read the ring
        }

        using var write = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(OneExemplar("no_storage_metric", "b"))));
        // The blob client retries the unreachable storage for ~20 s before the activation fails (500, naming the grain);
        // on a loaded machine that can outlast Orleans' 30 s response timeout, and then the answer is the timeout's
        // 503 unavailable with Retry-After. Either way: nothing acknowledged, a Prometheus body, a status Prometheus retries.
        if (write.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            await AssertErrorAsync(write, HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.NotNull(write.Headers.RetryAfter);
            return;
        }
        var error = await AssertErrorAsync(write, HttpStatusCode.InternalServerError, "internal");
        Assert.Contains("no_storage_metric", error); // Orleans names the grain that failed to activate
    }

    [Fact]
    public async Task A_write_that_neither_the_wal_nor_the_grain_storage_can_take_gets_500_internal_with_a_prometheus_body()
    {
        using var disk = TinyTmpfs.Mount("1m");
        var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Wal:Directory"] = System.IO.Path.Combine(disk.Path, "wal"),
            ["Storage:File:Directory"] = System.IO.Path.Combine(disk.Path, "grains"),
        });
        try
        {
            using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(OneExemplar("full_disk_metric", "a")))))
            {
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
            disk.Fill();

            // The ring takes the exemplars, the WAL cannot log them and the ring cannot be written instead: not acknowledged.
            var series = Series(("__name__", "full_disk_metric"), ("job", "e")).WithSample(1, 3000);
            for (var i = 0; i < 200; i++) series.WithExemplar(i, 3000 + i, ("trace_id", $"{i:x32}"));
            using var write = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
            var error = await AssertErrorAsync(write, HttpStatusCode.InternalServerError, "internal");
            Assert.Contains("space", error, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await system.DisposeAsync(); // before the unmount: the silo holds the WAL's files open
        }
    }

    /// <summary>The net under every endpoint: what none of them expected still gets Prometheus' body, classified alike.</summary>
    [Theory]
    [InlineData("invalid", 500, "internal")]
    [InlineData("timeout", 503, "unavailable")]
    [InlineData("silo", 503, "unavailable")]
    public async Task An_exception_no_endpoint_handled_gets_a_prometheus_body(string kind, int status, string errorType)
    {
        Exception error = kind switch
        {
            "timeout" => new TimeoutException("the grain call timed out"),
            "silo" => new SiloUnavailableException("the silo is gone"),
            _ => new InvalidOperationException("something nobody expected"),
        };
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = services };
        http.Request.Method = "GET";
        http.Request.Path = "/api/v1/query_exemplars";
        http.Response.Body = new System.IO.MemoryStream();
        http.Features.Set<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>(new Microsoft.AspNetCore.Diagnostics.ExceptionHandlerFeature
        {
            Error = error,
            Path = "/api/v1/query_exemplars",
        });

        await Hosting.Http.PrometheusErrors.HandleUnhandledAsync(http);

        Assert.Equal(status, http.Response.StatusCode);
        Assert.Equal(status == 503, http.Response.Headers.RetryAfter.Count > 0);
        http.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(errorType, json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(error.Message, json.RootElement.GetProperty("error").GetString());
    }

    private static Prometheus.RemoteWrite.V1.TimeSeries OneExemplar(string metric, string trace) =>
        Series(("__name__", metric), ("job", "e")).WithSample(1, 1000).WithExemplar(1, trace == "a" ? 1000 : 2000, ("trace_id", trace));

    /// <summary>Asserts Prometheus' error shape and returns the error message.</summary>
    private async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorType)
    {
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(errorType, json.RootElement.GetProperty("errorType").GetString());
        var error = json.RootElement.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }
}
