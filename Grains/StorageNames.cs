namespace OrleansExemplars.Grains;

public static class StorageNames
{
    /// <summary>Grain storage provider holding catalogs (and, with durability, rings).</summary>
    public const string Exemplars = "exemplars";
}
