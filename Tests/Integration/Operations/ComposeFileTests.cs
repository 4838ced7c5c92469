using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// docker-compose.yml as Debian's docker-compose reads it (no Docker engine runs here): the services, their wiring, and
/// environment keys that the code actually reads, so the file cannot drift from the options classes.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = RepositoryRoot();

    /// <summary>Configuration sections the hosts bind (found as the configuration reference finds them), most specific first.</summary>
    private static readonly (string Section, Type Options)[] Sections = ConfigurationReferenceTests.OptionsTypes()
        .Select(t => ((string)t.GetField("SectionName")!.GetRawConstantValue()!, t))
        .OrderByDescending(s => s.Item1.Length).ToArray();

    /// <summary>Keys read outside the options classes (ASP.NET Core's own).</summary>
    private static readonly string[] HostKeys = ["Urls"];

    private static YamlMappingNode Config()
    {
        var compose = RequiredComponent.Binary("docker-compose", "Debian's docker-compose (./test.sh installs it)");
        var psi = new ProcessStartInfo(compose, ["-f", Path.Combine(Root, "docker-compose.yml"), "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "docker-compose config failed: " + stderr);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node)[key];

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        Map(service, "environment").Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "");

    [Fact]
    public void The_stack_has_every_service_wired_as_documented()
    {
        var services = Map(Config(), "services");
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        foreach (var expected in new[] { "kafka", "kafka-init", "azurite", "silo1", "silo2", "apihost", "victoriametrics", "grafana", "demo-producer" })
        {
            Assert.Contains(expected, names);
        }

        string Condition(string service, string dependency) =>
            ((YamlScalarNode)Map(Map(services[service], "depends_on"), dependency)["condition"]).Value!;
        foreach (var silo in new[] { "silo1", "silo2" })
        {
            Assert.Equal("service_completed_successfully", Condition(silo, "kafka-init"));
            Assert.Equal("service_started", Condition(silo, "azurite"));
            Assert.Equal("service_started", Condition(silo, "victoriametrics"));
            Assert.Equal("Silo/Dockerfile", ((YamlScalarNode)Map(services[silo], "build")["dockerfile"]).Value);
            // Both silos share one WAL volume, so a survivor replays the log of a silo that crashed.
            Assert.Contains(((YamlSequenceNode)services[silo]["volumes"]).Select(v => ((YamlScalarNode)v).Value!), v => v.StartsWith("wal:/data/wal", StringComparison.Ordinal));
        }
        Assert.Equal("service_healthy", Condition("apihost", "silo1"));
        Assert.Equal("service_healthy", Condition("grafana", "apihost"));
        Assert.Equal("service_healthy", Condition("kafka-init", "kafka"));
        // The demo producer writes once the topic exists.
        Assert.Equal("service_completed_successfully", Condition("demo-producer", "kafka-init"));
        Assert.Equal("LoadTool/Dockerfile", ((YamlScalarNode)Map(services["demo-producer"], "build")["dockerfile"]).Value);

        // Published on loopback only, at the ports README.md and docs/deployment.md name.
        var published = services.Children.Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("ports"))
            .SelectMany(s => (YamlSequenceNode)s.Value["ports"]).Select(p => ((YamlScalarNode)p).Value!).ToList();
        Assert.All(published, p => Assert.StartsWith("127.0.0.1:", p));
        foreach (var port in new[] { "8000", "8080", "8081", "8090", "8091", "3000" }) Assert.Contains(published, p => p.StartsWith($"127.0.0.1:{port}:"));

        // The silos read the topic the init job creates, and the forwarder writes to the VictoriaMetrics service.
        var silo1 = Environment((YamlMappingNode)services["silo1"]);
        var init = string.Join(" ", ((YamlSequenceNode)services["kafka-init"]["command"]).Select(c => ((YamlScalarNode)c).Value));
        Assert.Contains($"--topic {silo1["Kafka__Topics__0"]} ", init);
        Assert.Contains($"--topic {silo1["Kafka__DeadLetterTopic"]} ", init);
        Assert.Equal("http://victoriametrics:8428/api/v1/write", silo1["RemoteWrite__Endpoints__0__Url"]);
        // The API host finds the silos in the same membership table.
        var api = Environment((YamlMappingNode)services["apihost"]);
        Assert.Equal(silo1["Clustering__AzureTable__ConnectionString"], api["Clustering__AzureTable__ConnectionString"]);
        Assert.Equal(silo1["Cluster__ClusterId"], api["Cluster__ClusterId"]);
        // One Grafana datasource: PromQL through the API host to the same VictoriaMetrics the silos write to.
        Assert.Equal("http://victoriametrics:8428", api["Query__UpstreamUrl"]);
    }

    [Theory]
    [InlineData("silo1")]
    [InlineData("silo2")]
    [InlineData("apihost")]
    public void Every_environment_key_is_one_the_code_reads_and_every_value_is_valid(string service)
    {
        var environment = Environment((YamlMappingNode)Map(Config(), "services")[service]);
        // As the hosts read them: Section__Key is Section:Key.
        var keys = environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        foreach (var key in keys.Keys.Where(k => !HostKeys.Contains(k)))
        {
            Assert.True(Sections.Any(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)),
                $"{service}: {key} belongs to no configuration section the code binds");
        }
        foreach (var (section, type) in Sections)
        {
            // Only the keys of this section that no more specific section claims (Storage vs Storage:File).
            var own = keys.Where(k => k.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) &&
                                      !Sections.Any(s => s.Section.Length > section.Length &&
                                                         s.Section.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) &&
                                                         k.Key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)))
                .ToDictionary();
            if (own.Count == 0) continue;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(own).Build().GetSection(section);
            var options = configuration.Get(type, o => o.ErrorOnUnknownConfiguration = true)!;
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options,
                    new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true),
                $"{service}: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        }
    }

    [Theory]
    [InlineData("Silo/Dockerfile", "OrleansExemplars.Silo.dll")]
    [InlineData("ApiHost/Dockerfile", "OrleansExemplars.ApiHost.dll")]
    public void The_images_are_multi_stage_non_root_health_checked_and_carry_no_secret(string dockerfile, string entry)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, dockerfile)).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "not multi-stage");
        Assert.Contains(lines, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("USER $APP_UID", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal) && l.Contains(entry, StringComparison.Ordinal));
        var text = string.Join("\n", lines);
        foreach (var secret in new[] { "AccountKey", "Password", "BearerToken", "SharedAccessSignature" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_silo_image_keeps_the_dashboard_on_loopback_and_compose_asks_for_it_on_the_hosts_loopback_only()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "Silo/Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        Assert.Contains(lines, l => l.Contains("Dashboard__Urls=http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Urls=http://0.0.0.0:8080", StringComparison.Ordinal)); // /metrics and probes

        var services = Map(Config(), "services");
        foreach (var silo in new[] { "silo1", "silo2" })
        {
            var environment = Environment((YamlMappingNode)services[silo]);
            var dashboard = new Uri(environment["Dashboard__Urls"]);
            var ports = ((YamlSequenceNode)services[silo]["ports"]).Select(p => ((YamlScalarNode)p).Value!).ToList();
            // Published, on the host's loopback only, is the dashboard's container port.
            // (docker-compose config spells "127.0.0.1:8080:8081" as "127.0.0.1:8080:8081/tcp".)
            Assert.Contains(ports, p => p.StartsWith("127.0.0.1:", StringComparison.Ordinal) &&
                                        p.Split('/')[0].EndsWith($":{dashboard.Port}", StringComparison.Ordinal));
            // And the silo's own port (Urls): its write endpoints (Api:ServeOnSilo), /metrics and probes.
            var urls = new Uri(environment["Urls"].Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
            Assert.Contains(ports, p => p.Split('/')[0].EndsWith($":{urls.Port}", StringComparison.Ordinal));
            Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p));
        }
    }

    [Fact]
    public void The_demo_producer_feeds_the_silos_topic_forever_at_a_paced_rate_with_arguments_the_tool_accepts()
    {
        var services = Map(Config(), "services");
        var command = ((YamlSequenceNode)services["demo-producer"]["command"]).Select(c => ((YamlScalarNode)c).Value!).ToArray();
        var settings = LoadSettings.Parse(command, DateTimeOffset.UtcNow);
        var silo1 = Environment((YamlMappingNode)services["silo1"]);
        Assert.Equal(LoadTarget.Kafka, settings.Target);
        Assert.Equal(silo1["Kafka__BootstrapServers"], settings.Bootstrap);
        Assert.Equal(silo1["Kafka__Topics__0"], settings.Topic);
        // Forever (no request or time bound), paced, and modest: at most a few thousand samples a second.
        Assert.Equal(0, settings.Requests);
        Assert.Null(settings.Duration);
        Assert.NotNull(settings.Rate);
        Assert.InRange(settings.Rate!.Value * settings.Shape.Series, 1, 5000);
        Assert.InRange(settings.Shape.ExemplarRatio, 0.01, 1);
        // kafka:9092 is not loopback: without --allow-remote the tool refuses it.
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(command.Where(a => a != "--allow-remote").ToArray(), DateTimeOffset.UtcNow));
        Assert.False(((YamlMappingNode)services["demo-producer"]).Children.ContainsKey("ports"));
    }

    [Fact]
    public void The_load_tool_image_is_multi_stage_non_root_and_carries_no_secret()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "LoadTool/Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "not multi-stage");
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish LoadTool/LoadTool.csproj", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/runtime:10.0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("USER $APP_UID", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal) && l.Contains("OrleansExemplars.LoadTool.dll", StringComparison.Ordinal));
        var text = string.Join("\n", lines);
        foreach (var secret in new[] { "AccountKey", "Password", "BearerToken", "SharedAccessSignature" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Grafana_gets_one_prometheus_datasource_on_the_api_host_with_trace_id_links_and_a_dashboard()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "deploy/grafana/provisioning/datasources/orleans-exemplars.yaml"))));
        var datasource = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["datasources"]).Single();
        Assert.Equal("prometheus", ((YamlScalarNode)datasource["type"]).Value);
        Assert.Equal("http://apihost:8000", ((YamlScalarNode)datasource["url"]).Value);
        var links = (YamlSequenceNode)Map(datasource, "jsonData")["exemplarTraceIdDestinations"];
        Assert.Contains(links, l => ((YamlScalarNode)((YamlMappingNode)l)["name"]).Value == "trace_id");

        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy/grafana/dashboards/orleans-exemplars.json")));
        var targets = dashboard.RootElement.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray()).ToList();
        Assert.Contains(targets, t => t.GetProperty("exemplar").GetBoolean());
        Assert.All(dashboard.RootElement.GetProperty("panels").EnumerateArray(),
            p => Assert.Equal(((YamlScalarNode)datasource["uid"]).Value, p.GetProperty("datasource").GetProperty("uid").GetString()));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found");
    }
}
