using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using Orleans.Configuration;
using OrleansExemplars.GrainInterfaces.Configuration;

namespace OrleansExemplars.ApiHost.Hosting;

public static class ClientClusteringExtensions
{
    /// <summary>
    /// Where the API host finds the silos' gateways: the Azure Storage membership table the silos register in when
    /// <c>Clustering:AzureTable:ConnectionString</c> is set, the single loopback gateway <c>Cluster:GatewayPort</c>
    /// otherwise (same rule as the silo's).
    /// </summary>
    /// <param name="cluster">Already validated by the caller (it needs the same values).</param>
    public static IClientBuilder UseOrleansExemplarsClustering(this IClientBuilder client, ClusterSettings cluster)
    {
        var section = client.Configuration.GetSection(AzureTableClusteringSettings.SectionName);
        client.Services.AddOptions<AzureTableClusteringSettings>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var azureTable = section.Get<AzureTableClusteringSettings>() ?? new AzureTableClusteringSettings();
        OptionsValidation.ThrowIfInvalid(azureTable);

        if (cluster.ResolveMode(azureTable) == ClusteringMode.Localhost)
        {
            return client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        var tables = CreateTableServiceClient(azureTable);
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

    /// <summary>Parsed now so a malformed connection string stops start-up naming its key (as the silo does).</summary>
    private static TableServiceClient CreateTableServiceClient(AzureTableClusteringSettings settings)
    {
        try
        {
            return new TableServiceClient(settings.ConnectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The connection string holds the account key: name the key, never echo the value.
            throw new OptionsValidationException(nameof(AzureTableClusteringSettings), typeof(AzureTableClusteringSettings),
                [$"Clustering:AzureTable:ConnectionString is not a valid Azure Storage connection string ({e.GetType().Name})."]);
        }
    }
}
