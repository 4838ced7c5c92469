using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.Silo.Hosting;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The system under test: a real in-process Orleans cluster running the silo's grains, and the real API host on a
/// free loopback port talking to it through the cluster's client.
/// </summary>
public sealed class ExemplarSystem : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private readonly WebApplication _api;

    /// <summary>The temporary grain storage directory this system made (and deletes), when the test named none.</summary>
    private readonly string? _ownedStorageDirectory;

    private ExemplarSystem(InProcessTestCluster cluster, WebApplication api, Uri baseAddress, string? ownedStorageDirectory)
    {
        _cluster = cluster;
        _api = api;
        _ownedStorageDirectory = ownedStorageDirectory;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IClusterClient Client => _cluster.Client;

    /// <summary>The API host's services (its meter factory, for counters of this system only).</summary>
    public IServiceProvider ApiServices => _api.Services;

    /// <summary>Silo <paramref name="index"/>'s services (its grain storage serializer, for instance).</summary>
    public IServiceProvider SiloServices(int index = 0) => _cluster.Silos[index].ServiceProvider;

    /// <summary>The meter factories of the silos and the API host: what their counters' meters are scoped to.</summary>
    public IEnumerable<object> MeterScopes() =>
        _cluster.Silos.Select(s => (object)s.ServiceProvider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())
            .Append(ApiServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    /// <param name="configureApi">Changes to the API host's builder (a log provider, for instance).</param>
    public static async Task<ExemplarSystem> StartAsync(int silos = 1, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configureApi = null)
    {
        // File grain storage is the default: without a directory of its own, every test would share (and keep)
        // ./data/grains, and a run would see the exemplars of the previous one.
        string? ownedStorageDirectory = null;
        if (settings?.ContainsKey("Storage:File:Directory") != true)
        {
            ownedStorageDirectory = Path.Combine(Path.GetTempPath(), "oe-grains-" + Guid.NewGuid().ToString("N"));
            settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["Storage:File:Directory"] = ownedStorageDirectory,
            };
        }
        // Each system gets its own WAL root, so no test replays logs another test left behind.
        settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        settings.TryAdd("Wal:Directory", Directory.CreateTempSubdirectory("oe-test-wal-").FullName);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
        });
        builder.ConfigureSilo((_, silo) => silo.AddOrleansExemplars());
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            var api = ApiHostApp.CreateBuilder([], connectToCluster: false);
            api.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" });
            api.Configuration.AddInMemoryCollection(settings);
            api.Services.AddSingleton(cluster.Client);
            api.Services.AddSingleton<IGrainFactory>(cluster.Client);
            configureApi?.Invoke(api);
            var app = ApiHostApp.Build(api);
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ExemplarSystem(cluster, app, new Uri(address), ownedStorageDirectory);
        }
        catch
        {
            await cluster.DisposeAsync();
            DeleteDirectory(ownedStorageDirectory);
            throw;
        }
    }

    private static void DeleteDirectory(string? directory)
    {
        if (directory is not null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    /// <summary>Deactivates a grain (as idle collection or a move to another silo would) and waits until it is gone.</summary>
    public Task DeactivateAsync(IAddressable grain) => _cluster.DeactivateAsync(grain);

    /// <summary>Stops silo <paramref name="index"/> gracefully (its queues move to the others).</summary>
    public Task StopSiloAsync(int index) => _cluster.StopSiloAsync(_cluster.Silos[index]);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _api.StopAsync();
        await _api.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        DeleteDirectory(_ownedStorageDirectory);
    }
}
