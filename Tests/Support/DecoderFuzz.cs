using CsCheck;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Inputs for fuzzing a decoder of stored or received bytes, and the property every such decoder must have: it
/// decodes, or it throws its own named exception, never anything else (no IndexOutOfRange, Overflow, OutOfMemory from a
/// huge length prefix, ArgumentException, …).
/// </summary>
public static class DecoderFuzz
{
    /// <summary>
    /// Random bytes, and valid encodings damaged as storage and networks damage them: cut short, bits flipped, a run
    /// of bytes overwritten (0xFF and 0x80 runs make 7-bit lengths and varints enormous), bytes inserted or removed.
    /// </summary>
    public static Gen<byte[]> Around(Gen<byte[]> valid) => Gen.Frequency(
        (1, Gen.Byte.Array[0, 48]),
        (1, Gen.Byte.Array[0, 1024]),
        (3, valid.SelectMany(v => Gen.Int[0, v.Length].Select(n => v[..n]))),
        (4, valid.SelectMany(Flipped)),
        (3, valid.SelectMany(Overwritten)),
        (2, valid.SelectMany(Spliced)),
        (1, valid));

    private static Gen<byte[]> Flipped(byte[] valid) => valid.Length == 0
        ? Gen.Const(valid)
        : Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, 7]).Array[1, 4].Select(flips =>
        {
            var bytes = valid.ToArray();
            foreach (var (at, bit) in flips) bytes[at] ^= (byte)(1 << bit);
            return bytes;
        });

    private static Gen<byte[]> Overwritten(byte[] valid) => valid.Length == 0
        ? Gen.Const(valid)
        : Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[1, 10], Gen.OneOf<byte>(0xFF, 0x80, 0x7F, 0x00), Gen.Byte).Select((at, length, fill, any) =>
        {
            var bytes = valid.ToArray();
            for (var i = at; i < Math.Min(bytes.Length, at + length); i++) bytes[i] = fill;
            if (length == 1) bytes[at] = any;
            return bytes;
        });

    private static Gen<byte[]> Spliced(byte[] valid) =>
        Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, 8], Gen.Byte.Array[0, 8]).Select((at, remove, insert) =>
            (byte[])[.. valid[..at], .. insert, .. valid[Math.Min(valid.Length, at + remove)..]]);

    /// <summary>
    /// Runs <paramref name="decode"/> over <paramref name="iter"/> inputs; any exception but
    /// <typeparamref name="TException"/> fails the test with the (shrunk) input that raised it.
    /// </summary>
    public static void OnlyThrows<TException>(Gen<byte[]> inputs, Action<byte[]> decode, long iter) where TException : Exception =>
        inputs.Sample(bytes =>
        {
            try
            {
                decode(bytes);
            }
            catch (TException)
            {
            }
        }, iter: iter, print: Hex);

    public static string Hex(byte[] bytes) => $"{bytes.Length} bytes: {Convert.ToHexString(bytes)}";
}
