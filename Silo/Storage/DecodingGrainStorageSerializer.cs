using Orleans.Storage;
using OrleansExemplars.Grains;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// The serializer of a grain storage, which tells a damaged record from any other failure: whatever goes wrong while
/// the bytes read are turned into a state (Orleans' or the JSON fallback's deserializer on damaged bytes, a state's own
/// decoding, <see cref="IDecodedOnRead"/>, such as a ring snapshot failing its checksum) becomes a
/// <see cref="CorruptGrainStateException"/> carrying those bytes. Deserializing is pure computation on bytes already
/// read, so nothing transient can fail in it.
/// </summary>
public sealed class DecodingGrainStorageSerializer(IGrainStorageSerializer inner) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => inner.Serialize(input);

    public T? Deserialize<T>(BinaryData input)
    {
        try
        {
            var state = inner.Deserialize<T>(input);
            if (state is IDecodedOnRead decoded) decoded.DecodeStored();
            return state;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Copied: a provider may lend the bytes from a pool it takes back once this returns.
            throw new CorruptGrainStateException($"the stored {typeof(T).Name} does not decode: {Reason(e)}", input.ToArray(), e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        // Orleans' fallback serializer reports both attempts (binary, then JSON); the first one is the telling one.
        AggregateException { InnerExceptions.Count: > 0 } a => string.Join("; ", a.InnerExceptions.Select(i => i.Message)),
        _ => e.Message,
    };
}
