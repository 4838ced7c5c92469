using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using Orleans.Configuration;
using OrleansExemplars.GrainInterfaces.Configuration;
using OrleansExemplars.Hosting.Common;

namespace OrleansExemplars.ApiHost.Hosting;

public static class ClientClusteringExtensions
{
    /// <summary>
    /// Where the API host finds the silos' gateways: the Azure Storage membership table the silos register in when
    /// <c>Clustering:AzureTable:ConnectionString</c> or <c>ServiceUri</c> is set, the single loopback gateway <c>Cluster:GatewayPort</c>
    /// otherwise (same rule as the silo's); TLS to the gateways with <c>Cluster:Tls</c>, as the silos have it.
    /// </summary>
    /// <param name="cluster">Already validated by the caller (it needs the same values).</param>
    public static IClientBuilder UseOrleansExemplarsClustering(this IClientBuilder client, ClusterSettings cluster)
    {
        var section = client.Configuration.GetSection(AzureTableClusteringSettings.SectionName);
        client.Services.AddOptions<AzureTableClusteringSettings>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var azureTable = section.Get<AzureTableClusteringSettings>() ?? new AzureTableClusteringSettings();
        OptionsValidation.ThrowIfInvalid(azureTable);
        if (ClusterTls.Load(client.Configuration) is { } certificates)
        {
            client.UseTls(options => ClusterTls.Configure(options, certificates));
        }

        if (cluster.ResolveMode(azureTable) == ClusteringMode.Localhost)
        {
            return client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        // Parsed now so a malformed setting stops start-up naming its key (as the silo does).
        var tables = AzureTableClients.CreateTableServiceClient(azureTable, () => AzureTableClients.CreateCredential(client.Configuration));
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        return client.UseAzureStorageClustering((AzureStorageGatewayOptions o) =>
        {
            o.TableServiceClient = tables;
            o.TableName = azureTable.TableName;
        });
    }
}
