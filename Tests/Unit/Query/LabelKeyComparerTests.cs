using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Query;

/// <summary>Label keys (UTF-8 wire form) order exactly as <see cref="LabelSet.CompareTo"/> orders the label sets.</summary>
public sealed class LabelKeyComparerTests
{
    // ASCII, '_' around upper case (sorts before "__name__"), BMP above the surrogates, supplementary characters.
    private static readonly string[] Alphabet = ["a", "b", "B", "_", "0", "é", "中", "\uE000", "\uFFFD", "\uFF21", "😀", "𝄞", "\u0000", "~"];

    [Fact]
    public void Order_and_equality_match_LabelSet_CompareTo()
    {
        var random = new Random(17);
        var sets = Enumerable.Range(0, 600).Select(_ => RandomSet(random)).ToList();
        sets.Add(LabelSet.Empty);
        var keys = sets.Select(Key).ToList();
        for (var i = 0; i < sets.Count; i++)
        {
            for (var j = 0; j < sets.Count; j++)
            {
                var expected = Math.Sign(sets[i].CompareTo(sets[j]));
                var actual = Math.Sign(LabelKeyComparer.Compare(keys[i], keys[j]));
                Assert.True(expected == actual, $"{sets[i]} vs {sets[j]}: expected {expected}, got {actual}");
            }
        }
    }

    [Theory]
    [InlineData("\uE000", "😀")]
    [InlineData("\uFFFD", "𝄞")]
    [InlineData("z", "\uE000")]
    [InlineData("a", "ab")]
    public void Strings_order_by_UTF16_code_units(string smaller, string larger)
    {
        // In UTF-16 a surrogate pair (0xD8xx…) sorts below U+E000–U+FFFF, although its code point is above them.
        var a = LabelSet.From(("x", smaller));
        var b = LabelSet.From(("x", larger));
        Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(LabelKeyComparer.Compare(Key(a), Key(b))));
    }

    private static byte[] Key(LabelSet labels)
    {
        var writer = new SeriesJsonBatchWriter();
        writer.BeginSeries(labels);
        writer.AddExemplar("t", "v", 1, 1, true);
        writer.EndSeries();
        return writer.ToBatch().Key(0).ToArray();
    }

    private static LabelSet RandomSet(Random random)
    {
        var names = new[] { "__name__", "a", "A", "_b", "job", "le", "aa" };
        var count = random.Next(0, 4);
        var picked = names.OrderBy(_ => random.Next()).Take(count);
        return LabelSet.From(picked.Select(n => new Label(n, RandomString(random))).ToArray());
    }

    private static string RandomString(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
}
