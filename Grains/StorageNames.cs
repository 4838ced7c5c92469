namespace OrleansExemplars.Grains;

public static class StorageNames
{
    /// <summary>Grain storage provider holding catalogs (and, with durability, rings).</summary>
    public const string Exemplars = "exemplars";

    /// <summary>State name of a metric grain's ring.</summary>
    public const string RingState = "ring";

    /// <summary>State name of a catalog shard.</summary>
    public const string CatalogState = "catalog";
}
