using System.ComponentModel.DataAnnotations;
using System.IO;

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
    /// <summary>Azure Blob (<c>Storage:AzureBlob:*</c>): the default when a connection string is set.</summary>
    AzureBlob,
    /// <summary>Silo memory: nothing survives a restart. Only when asked for (benchmarks, throw-away runs).</summary>
    Memory,
}

/// <summary>Configuration section <c>Storage</c>, read while the silo is built (it decides which provider to add).</summary>
public sealed class GrainStorageSettings : IValidatableObject
{
    public const string SectionName = "Storage";

    [EnumDataType(typeof(GrainStorageProvider), ErrorMessage = "Storage:Provider must be File, AzureBlob or Memory.")]
    public GrainStorageProvider? Provider { get; set; }

    public AzureBlobSettings AzureBlob { get; set; } = new();

    /// <summary>Without an explicit provider: Azure Blob when it has a connection string, files otherwise.</summary>
    public GrainStorageProvider EffectiveProvider =>
        Provider ?? (string.IsNullOrWhiteSpace(AzureBlob.ConnectionString) ? GrainStorageProvider.File : GrainStorageProvider.AzureBlob);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EffectiveProvider == GrainStorageProvider.AzureBlob && string.IsNullOrWhiteSpace(AzureBlob.ConnectionString))
        {
            yield return new ValidationResult("Storage:AzureBlob:ConnectionString is required when Storage:Provider is AzureBlob.");
        }
    }

    public sealed class AzureBlobSettings
    {
        public string? ConnectionString { get; set; }
        public string ContainerName { get; set; } = "orleans-exemplars";
    }
}
