using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.ApiHost.Hosting;

/// <summary>Configuration section <c>Api</c>.</summary>
public sealed class ApiHostOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest remote-write body accepted, measured decompressed (413 above it).</summary>
    [Range(1024, int.MaxValue / 2, ErrorMessage = "Api:MaxRequestBytes must be between {1} and {2}.")]
    public int MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>How many metric grains one exemplar query asks at once.</summary>
    [Range(1, 4096, ErrorMessage = "Api:QueryConcurrency must be between {1} and {2}.")]
    public int QueryConcurrency { get; set; } = 64;
}

/// <summary>Configuration section <c>Cluster</c>: how the API host reaches the silo cluster.</summary>
public sealed class ClusterClientOptions
{
    public const string SectionName = "Cluster";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ClusterId must not be empty.")]
    public string ClusterId { get; set; } = "orleans-exemplars";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ServiceId must not be empty.")]
    public string ServiceId { get; set; } = "orleans-exemplars";

    [RegularExpression("^(?i:localhost)$", ErrorMessage = "Cluster:Clustering must be \"Localhost\".")]
    public string Clustering { get; set; } = "Localhost";

    [Range(1, 65535, ErrorMessage = "Cluster:GatewayPort must be between {1} and {2}.")]
    public int GatewayPort { get; set; } = 30000;
}
