using OrleansExemplars.Grains.Exemplars;
using Xunit;

namespace OrleansExemplars.Tests.Exemplars;

public class HexLabelValueTests
{
    [Theory]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736", 0x4bf92f3577b34da6UL, 0xa3ce929d0e0e4736UL)]
    [InlineData("00000000000000000000000000000000", 0UL, 0UL)]
    [InlineData("ffffffffffffffffffffffffffffffff", ulong.MaxValue, ulong.MaxValue)]
    [InlineData("0123456789abcdef0123456789abcdef", 0x0123456789abcdefUL, 0x0123456789abcdefUL)]
    public void Thirty_two_lowercase_digits_pack_big_endian_and_round_trip(string value, ulong high, ulong low)
    {
        Assert.True(HexLabelValue.TryPack(value, out var packed));
        Assert.False(packed.IsShort);
        Assert.Equal(32, packed.Digits);
        Assert.Equal(high, packed.High);
        Assert.Equal(low, packed.Low);
        Assert.Equal(value, packed.ToString());
    }

    [Theory]
    [InlineData("00f067aa0ba902b7", 0x00f067aa0ba902b7UL)]
    [InlineData("0000000000000000", 0UL)]
    [InlineData("ffffffffffffffff", ulong.MaxValue)]
    public void Sixteen_lowercase_digits_pack_into_the_low_half_and_round_trip(string value, ulong low)
    {
        Assert.True(HexLabelValue.TryPack(value, out var packed));
        Assert.True(packed.IsShort);
        Assert.Equal(0UL, packed.High);
        Assert.Equal(low, packed.Low);
        Assert.Equal(value, packed.ToString());
    }

    [Fact]
    public void Random_values_round_trip_exactly()
    {
        var random = new Random(11);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(bytes);
            var value = Convert.ToHexStringLower(i % 2 == 0 ? bytes : bytes[..8]);
            Assert.True(HexLabelValue.TryPack(value, out var packed), value);
            Assert.Equal(value, packed.ToString());
            Assert.Equal(packed, HexLabelValue.FromParts(packed.High, packed.Low, packed.IsShort));
        }
    }

    [Theory]
    [InlineData("4BF92F3577B34DA6A3CE929D0E0E4736")] // uppercase
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473A")] // one uppercase digit, last
    [InlineData("Abf92f3577b34da6a3ce929d0e0e4736")] // one uppercase digit, first
    [InlineData("00F067AA0BA902B7")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473")] // 31
    [InlineData("4bf92f3577b34da6a3ce929d0e0e47360")] // 33
    [InlineData("00f067aa0ba902b")] // 15
    [InlineData("00f067aa0ba902b70")] // 17
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736 4bf92f3577b34da6a3ce929d0e0e4736")] // 65
    [InlineData("")]
    [InlineData("0")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473g")] // g
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473 ")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473\0")]
    [InlineData("-bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("0x00f067aa0ba902")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473\uff10")] // fullwidth zero
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473\u0660")] // Arabic-Indic zero
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473\u0130")] // dotted capital I (a case-folding trap)
    [InlineData("00f067aa0ba902b\u0441")] // Cyrillic es, looks like c
    public void Anything_else_does_not_pack(string value)
    {
        Assert.False(HexLabelValue.TryPack(value, out var packed));
        Assert.Equal(default, packed);
        Assert.False(HexLabelValue.TryPackVector(value, out _));
        Assert.False(HexLabelValue.TryPackScalar(value, out _));
    }

    [Fact]
    public void One_wrong_character_anywhere_stops_both_paths()
    {
        // Every lane of every vector: uppercase, the neighbours of the digit and letter ranges, and characters whose
        // low byte is a valid digit (they would pass if the high byte were dropped unchecked).
        char[] wrong = ['A', 'F', 'g', '/', ':', '`', 'G', ' ', '\0', '\u0130', '\u0161', '\uff10', '\u0660', '\uD83D'];
        foreach (var length in new[] { 16, 32 })
        {
            for (var position = 0; position < length; position++)
            {
                foreach (var c in wrong)
                {
                    var value = new string('7', position) + c + new string('7', length - position - 1);
                    Assert.False(HexLabelValue.TryPackVector(value, out _), $"vector: {position} {(int)c:x}");
                    Assert.False(HexLabelValue.TryPackScalar(value, out _), $"scalar: {position} {(int)c:x}");
                    Assert.False(HexLabelValue.TryPack(value, out _));
                }
            }
        }
    }

    [Fact]
    public void The_vector_and_scalar_paths_agree()
    {
        var random = new Random(5);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(bytes);
            var value = Convert.ToHexStringLower(i % 2 == 0 ? bytes : bytes[..8]);
            Assert.True(HexLabelValue.TryPackVector(value, out var vector), value);
            Assert.True(HexLabelValue.TryPackScalar(value, out var scalar), value);
            Assert.Equal(scalar, vector);
            Assert.Equal(value, vector.ToString());
        }
    }

    [Fact]
    public void The_digits_are_written_as_utf8_exactly_as_ToString_gives_them()
    {
        var random = new Random(13);
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> utf8 = stackalloc byte[40];
        for (var i = 0; i < 500; i++)
        {
            random.NextBytes(bytes);
            var value = Convert.ToHexStringLower(i % 2 == 0 ? bytes : bytes[..8]);
            Assert.True(HexLabelValue.TryPack(value, out var packed));
            utf8.Fill(0xEE);
            Assert.True(packed.TryWriteUtf8(utf8, out var written));
            Assert.Equal(value.Length, written);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(value), utf8[..written].ToArray());
            Assert.Equal(0xEE, utf8[written]); // nothing written past the digits
            Assert.False(packed.TryWriteUtf8(utf8[..(value.Length - 1)], out written));
            Assert.Equal(0, written);
        }
    }

    [Fact]
    public void The_length_is_part_of_the_value()
    {
        Assert.True(HexLabelValue.TryPack("00f067aa0ba902b7", out var shortForm));
        Assert.True(HexLabelValue.TryPack("000000000000000000f067aa0ba902b7", out var longForm));
        Assert.Equal(shortForm.High, longForm.High);
        Assert.Equal(shortForm.Low, longForm.Low);
        Assert.NotEqual(shortForm, longForm);
        Assert.Equal("000000000000000000f067aa0ba902b7", longForm.ToString());
    }

    [Fact]
    public void A_short_value_has_no_high_half()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HexLabelValue.FromParts(1, 0, isShort: true));
        Assert.Equal("0000000000000001", HexLabelValue.FromParts(0, 1, isShort: true).ToString());
        Assert.Equal("00000000000000010000000000000000", HexLabelValue.FromParts(1, 0, isShort: false).ToString());
    }
}
