using System.ComponentModel.DataAnnotations;
using OrleansExemplars.Hosting.Configuration;

namespace OrleansExemplars.Silo.Storage;

/// <summary>Configuration section <c>Storage:File</c>: grain storage in local files, the embedded default.</summary>
public sealed class FileGrainStorageOptions : IValidatableObject
{
    public const string SectionName = "Storage:File";

    /// <summary>
    /// Root of the grain state files; a relative path is resolved against the silo's content root (its working
    /// directory). One directory belongs to one service: state of another service there would be read as ours.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Storage:File:Directory is required.")]
    public string Directory { get; set; } = "data/grains";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Directory)) yield break; // [Required] reports it
        string? problem = null;
        try
        {
            var full = Path.GetFullPath(Directory);
            if (File.Exists(full)) problem = $"'{full}' is a file";
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            problem = e.Message;
        }
        if (problem is not null)
        {
            yield return new ValidationResult($"Storage:File:Directory must be a usable directory path: {problem}.", [nameof(Directory)]);
        }
    }
}

/// <summary>Which grain storage holds rings and catalogs: configuration key <c>Storage:Provider</c>.</summary>
public enum GrainStorageProvider
{
    /// <summary>Local files (<see cref="FileGrainStorageOptions"/>): the default without an Azure connection string.</summary>
    File,
    /// <summary>Azure Blob (<c>Storage:AzureBlob:*</c>): the default when a connection string or service URI is set.</summary>
    AzureBlob,
    /// <summary>Silo memory: nothing survives a restart. Only when asked for (benchmarks, throw-away runs).</summary>
    Memory,
}

/// <summary>Configuration section <c>Storage</c>, read while the silo is built (it decides which provider to add).</summary>
public sealed class GrainStorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    [EnumDataType(typeof(GrainStorageProvider), ErrorMessage = "Storage:Provider must be File, AzureBlob or Memory.")]
    public GrainStorageProvider? Provider { get; set; }

    public AzureBlobOptions AzureBlob { get; set; } = new();

    /// <summary>Without an explicit provider: Azure Blob when it names an account, files otherwise.</summary>
    public GrainStorageProvider EffectiveProvider =>
        Provider ?? (AzureBlob.IsConfigured ? GrainStorageProvider.AzureBlob : GrainStorageProvider.File);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EffectiveProvider == GrainStorageProvider.AzureBlob && !AzureBlob.IsConfigured)
        {
            yield return new ValidationResult(
                "Storage:AzureBlob:ConnectionString or Storage:AzureBlob:ServiceUri is required when Storage:Provider is AzureBlob.");
        }
        foreach (var result in AzureStorageEndpoint.Validate(AzureBlobSection, AzureBlob.ConnectionString, AzureBlob.ServiceUri, "blob"))
        {
            yield return result;
        }
        if (string.IsNullOrWhiteSpace(AzureBlob.ContainerName))
        {
            yield return new ValidationResult("Storage:AzureBlob:ContainerName must not be empty.");
        }
    }

    private const string AzureBlobSection = SectionName + ":" + nameof(AzureBlob);

    /// <summary><c>Storage:AzureBlob</c>: the account is named by exactly one of the connection string and the service URI.</summary>
    public sealed class AzureBlobOptions
    {
        /// <summary>Account key or SAS connection string (Azurite's too).</summary>
        public string? ConnectionString { get; set; }

        /// <summary>
        /// <c>https://&lt;account&gt;.blob.core.windows.net</c>, reached with a Microsoft Entra token from
        /// <c>DefaultAzureCredential</c> (<c>Azure:*</c>), e.g. a managed identity with Storage Blob Data Contributor.
        /// </summary>
        public string? ServiceUri { get; set; }

        /// <summary>Created at start when missing.</summary>
        public string ContainerName { get; set; } = "orleans-exemplars";

        public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(ServiceUri);

        public bool UsesServiceUri => !string.IsNullOrWhiteSpace(ServiceUri);
    }
}
