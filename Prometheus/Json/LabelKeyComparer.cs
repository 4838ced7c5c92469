using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.Json;

/// <summary>
/// Orders label sets held in <see cref="LabelWireFormat"/> (UTF-8) exactly as <see cref="LabelSet.CompareTo"/> orders
/// the strings: pairwise by name then value, a prefix first, strings by UTF-16 code unit (<c>string.CompareOrdinal</c>),
/// without decoding them.
/// </summary>
/// <remarks>
/// Exact for well-formed strings, which are all a label can be: labels come from protobuf, whose decoder turns invalid
/// UTF-8 into U+FFFD. A .NET string holding a lone surrogate would be keyed as U+FFFD and could sort differently.
/// </remarks>
public static class LabelKeyComparer
{
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        // Equal keys (the same series from two grains) and shared prefixes are common: one vectorised scan first.
        if (a.SequenceEqual(b)) return 0;
        var ra = new LabelWireFormat.Reader(a);
        var rb = new LabelWireFormat.Reader(b);
        while (true)
        {
            var hasA = ra.Next(out var nameA, out var valueA);
            var hasB = rb.Next(out var nameB, out var valueB);
            if (!hasA || !hasB) return hasA.CompareTo(hasB);
            var c = CompareUtf16Order(nameA, nameB);
            if (c != 0) return c;
            c = CompareUtf16Order(valueA, valueB);
            if (c != 0) return c;
        }
    }

    /// <summary>
    /// Two UTF-8 strings in the order of their UTF-16 forms. Byte order is code point order, which differs from UTF-16
    /// order only between U+E000–U+FFFF (lead byte 0xEE/0xEF) and U+10000 and above (lead byte 0xF0–0xF4, surrogates
    /// 0xD800–0xDFFF in UTF-16): there the supplementary character sorts first. The first differing byte is either two
    /// different lead bytes or continuation bytes under the same lead, so looking at it alone is enough.
    /// </summary>
    public static int CompareUtf16Order(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var i = a.CommonPrefixLength(b);
        if (i == a.Length || i == b.Length) return a.Length.CompareTo(b.Length);
        int x = a[i], y = b[i];
        if (x >= 0xF0 && y is 0xEE or 0xEF) return -1;
        if (y >= 0xF0 && x is 0xEE or 0xEF) return 1;
        return x.CompareTo(y);
    }
}
