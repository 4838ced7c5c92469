namespace OrleansExemplars.Grains;

/// <summary>
/// A grain state holding an encoded form of its own (a ring snapshot) that grain storage decodes as soon as it has
/// read the record, so a record whose content is damaged fails the read, where storage can set it aside and start the
/// grain empty, instead of failing every activation of its grain.
/// </summary>
public interface IDecodedOnRead
{
    /// <summary>Decodes the stored form and keeps the result; throws if it is damaged.</summary>
    void DecodeStored();
}
