using System.Net;
using Orleans.Clustering.AzureStorage;
using Orleans.Configuration;
using OrleansExemplars.Hosting.Configuration;

namespace OrleansExemplars.Hosting.Clustering;

/// <summary>
/// Cluster membership for both hosts, from <c>Cluster:*</c> and <c>Clustering:AzureTable:*</c>: an Azure Storage table
/// when its connection string or service URI is set, a single loopback silo otherwise; mutual TLS with
/// <c>Cluster:Tls</c>. The silo registers in the table, the API host finds the gateways there.
/// </summary>
public static class ClusteringExtensions
{
    /// <summary>
    /// The silo's side: several silos, each on its own <c>Cluster:SiloPort</c>/<c>GatewayPort</c> at
    /// <c>Cluster:AdvertisedIPAddress</c>, form one cluster; mutual TLS on its ports.
    /// </summary>
    /// <param name="cluster">Already validated by the caller (it needs the same values).</param>
    public static ISiloBuilder UseOrleansExemplarsClustering(this ISiloBuilder silo, ClusterHostOptions cluster)
    {
        var azureTable = BindAzureTable(silo.Services, silo.Configuration);

        // Cluster:Tls: mutual TLS on the silo and gateway ports, before anything listens.
        if (ClusterTls.Load(silo.Configuration) is { } certificates)
        {
            silo.UseTls(options => ClusterTls.Configure(options, certificates));
        }

        // Localhost membership has no failure detection to speak of, but the same values keep both modes alike.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.NumMissedProbesLimit;
        });

        if (cluster.ResolveMode(azureTable) == ClusteringMode.Localhost)
        {
            return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
        }
        var tables = CreateTables(silo.Services, silo.Configuration, azureTable);
        silo.Configure<ClusterOptions>(o => Identify(o, cluster));
        if (cluster.IsAutoAddress)
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIPAddress), cluster.SiloPort, cluster.GatewayPort);
        }
        return silo.UseAzureStorageClustering(o =>
        {
            o.TableServiceClient = tables;
            o.TableName = azureTable.TableName;
        });
    }

    /// <summary>
    /// The client's side (the API host): the gateways of the membership table, or the single loopback gateway
    /// <c>Cluster:GatewayPort</c>; TLS to the gateways as the silos have it.
    /// </summary>
    /// <param name="cluster">Already validated by the caller (it needs the same values).</param>
    public static IClientBuilder UseOrleansExemplarsClustering(this IClientBuilder client, ClusterHostOptions cluster)
    {
        var azureTable = BindAzureTable(client.Services, client.Configuration);
        if (ClusterTls.Load(client.Configuration) is { } certificates)
        {
            client.UseTls(options => ClusterTls.Configure(options, certificates));
        }

        if (cluster.ResolveMode(azureTable) == ClusteringMode.Localhost)
        {
            return client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        var tables = CreateTables(client.Services, client.Configuration, azureTable);
        client.Configure<ClusterOptions>(o => Identify(o, cluster));
        return client.UseAzureStorageClustering((AzureStorageGatewayOptions o) =>
        {
            o.TableServiceClient = tables;
            o.TableName = azureTable.TableName;
        });
    }

    private static AzureTableClusteringOptions BindAzureTable(IServiceCollection services, IConfiguration configuration) =>
        services.AddValidatedOptionsNow<AzureTableClusteringOptions>(configuration, AzureTableClusteringOptions.SectionName);

    // Parsed now so a malformed setting stops start-up naming its key, not at the first table call deep inside
    // Orleans' membership start.
    private static Azure.Data.Tables.TableServiceClient CreateTables(IServiceCollection services, IConfiguration configuration,
        AzureTableClusteringOptions azureTable) =>
        AzureStorageClients.CreateTableServiceClient(azureTable, () => AzureStorageClients.GetOrAddCredential(services, configuration));

    private static void Identify(ClusterOptions options, ClusterHostOptions cluster)
    {
        options.ClusterId = cluster.ClusterId;
        options.ServiceId = cluster.ServiceId;
    }
}
