using System.IO;
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

    private ExemplarSystem(InProcessTestCluster cluster, WebApplication api, Uri baseAddress)
    {
        _cluster = cluster;
        _api = api;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IClusterClient Client => _cluster.Client;

    public static async Task<ExemplarSystem> StartAsync(int silos = 1, IDictionary<string, string?>? settings = null)
    {
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
            return new ExemplarSystem(cluster, app, new Uri(address));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
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
    }
}
