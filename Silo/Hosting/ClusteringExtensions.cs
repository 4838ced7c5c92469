using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansExemplars.GrainInterfaces.Configuration;
using OrleansExemplars.Hosting.Common;

namespace OrleansExemplars.Silo.Hosting;

public static class ClusteringExtensions
{
    /// <summary>
    /// Cluster membership from <c>Cluster:*</c> and <c>Clustering:AzureTable:*</c>: an Azure Storage table when its
    /// connection string or service URI is set (several silos, each on its own <c>Cluster:SiloPort</c>/<c>GatewayPort</c> at
    /// <c>Cluster:AdvertisedIPAddress</c>, form one cluster), a single loopback silo otherwise; mutual TLS on its ports
    /// with <c>Cluster:Tls</c>.
    /// </summary>
    /// <param name="cluster">Already validated by the caller (it needs the same values).</param>
    public static ISiloBuilder UseOrleansExemplarsClustering(this ISiloBuilder silo, ClusterSettings cluster)
    {
        var section = silo.Configuration.GetSection(AzureTableClusteringSettings.SectionName);
        silo.Services.AddOptions<AzureTableClusteringSettings>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var azureTable = section.Get<AzureTableClusteringSettings>() ?? new AzureTableClusteringSettings();
        OptionsValidation.ThrowIfInvalid(azureTable);

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
        // Parsed now so a malformed setting stops start-up naming its key, not at the first table call deep inside
        // Orleans' membership start. The API host does the same for its gateway list.
        var tables = AzureStorageClients.CreateTableServiceClient(azureTable,
            () => AzureStorageClients.GetOrAddCredential(silo.Services, silo.Configuration));
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
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
}
