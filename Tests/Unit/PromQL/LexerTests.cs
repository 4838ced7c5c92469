using OrleansExemplars.Prometheus.PromQL;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

public class LexerTests
{
    private static List<(TokenKind Kind, string Val)> Lex(string input) =>
        Lexer.Tokenize(input).Select(t => (t.Kind, t.Val)).ToList();

    private static Token Single(string input)
    {
        var tokens = Lexer.Tokenize(input);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(TokenKind.Eof, tokens[1].Kind);
        return tokens[0];
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("1e3")]
    [InlineData("1E-3")]
    [InlineData("2.5e+10")]
    [InlineData("0x1F")]
    [InlineData("0Xdeadbeef")]
    [InlineData("010")]
    [InlineData("Inf")]
    [InlineData("inf")]
    [InlineData("NaN")]
    [InlineData("nAn")]
    public void Numbers(string input)
    {
        var t = Single(input);
        Assert.Equal(TokenKind.Number, t.Kind);
        Assert.Equal(input, t.Val);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1E-3", 0.001)]
    [InlineData("0x1F", 31.0)]
    [InlineData("0xff", 255.0)]
    [InlineData("010", 8.0)] // base-0 ParseInt: a leading zero means octal
    [InlineData("08", 8.0)] // not octal, falls back to ParseFloat
    [InlineData("99999999999999999999", 1e20)]
    public void NumberValues(string input, double expected)
    {
        Assert.Equal(expected, GoLiterals.ParseNumber(input, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void SpecialNumberValues()
    {
        Assert.Equal(double.PositiveInfinity, GoLiterals.ParseNumber("Inf", out _));
        Assert.True(double.IsNaN(GoLiterals.ParseNumber("nan", out _)));
        GoLiterals.ParseNumber("1e999", out var error);
        Assert.Equal("strconv.ParseFloat: parsing \"1e999\": value out of range", error);
        GoLiterals.ParseNumber("0x", out error);
        Assert.Equal("strconv.ParseFloat: parsing \"0x\": invalid syntax", error);
    }

    [Fact]
    public void NumberFollowedByLetterIsABadNumber()
    {
        var t = Lexer.Tokenize("0deadbeef")[0];
        Assert.Equal(TokenKind.Error, t.Kind);
        Assert.Equal("bad number or duration syntax: \"0de\"", t.Val);
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("'abc'", "abc")]
    [InlineData("`abc`", "abc")]
    [InlineData(@"""a\""b""", "a\"b")]
    [InlineData(@"'a\'b'", "a'b")]
    [InlineData(@"'a""b'", "a\"b")]
    [InlineData(@"""a'b""", "a'b")]
    [InlineData(@"""\a\b\f\n\r\t\v\\""", "\a\b\f\n\r\t\v\\")]
    [InlineData(@"""\x41\101\u00e9\U0001F600""", "AAé\U0001F600")]
    [InlineData(@"""\xc3\xa9""", "é")] // \x produces bytes, decoded as UTF-8
    [InlineData(@"`a\nb\d`", @"a\nb\d")] // raw strings keep backslashes
    [InlineData("`multi\nline`", "multi\nline")]
    [InlineData("\"日本語\"", "日本語")]
    public void Strings(string input, string value)
    {
        var t = Single(input);
        Assert.Equal(TokenKind.String, t.Kind);
        Assert.Equal(input, t.Val);
        Assert.True(GoStrings.TryUnquote(t.Val, out var unquoted));
        Assert.Equal(value, unquoted);
    }

    [Theory]
    [InlineData(@"""\q""", "unknown escape sequence U+0071 'q'")]
    [InlineData(@"""\'""", "unknown escape sequence U+0027 '''")]
    [InlineData(@"'\""'", "unknown escape sequence U+0022 '\"'")]
    [InlineData(@"""\x4g""", "illegal character U+0067 'g' in escape sequence")]
    [InlineData(@"""\400""", "escape sequence is an invalid Unicode code point")]
    [InlineData(@"""\ud800""", "escape sequence is an invalid Unicode code point")]
    [InlineData(@"""\U00110000""", "escape sequence is an invalid Unicode code point")]
    [InlineData(@"""\", "escape sequence not terminated")]
    [InlineData("\"abc", "unterminated quoted string")]
    [InlineData("\"a\nb\"", "unterminated quoted string")]
    [InlineData("`abc", "unterminated raw string")]
    [InlineData("\"\uFFFD\"", "invalid UTF-8 rune")]
    public void StringErrors(string input, string error)
    {
        var t = Lexer.Tokenize(input)[^1];
        Assert.Equal(TokenKind.Error, t.Kind);
        Assert.Equal(error, t.Val);
        Assert.Equal(0, t.Pos); // string errors are reported at the opening quote
    }

    [Fact]
    public void DurationsInBrackets()
    {
        Assert.Equal(
        [
            (TokenKind.Identifier, "x"), (TokenKind.LeftBracket, "["), (TokenKind.Duration, "1h30m"),
            (TokenKind.Colon, ":"), (TokenKind.Duration, "5ms"), (TokenKind.RightBracket, "]"), (TokenKind.Eof, ""),
        ], Lex("x[ 1h30m:5ms]"));
    }

    [Theory]
    [InlineData("5m", 5 * 60_000L)]
    [InlineData("1h30m", 90 * 60_000L)]
    [InlineData("1y", 365 * 86_400_000L)]
    [InlineData("1w", 7 * 86_400_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("1s", 1_000L)]
    [InlineData("1ms", 1L)]
    [InlineData("1y2w3d4h5m6s7ms", 365 * 86_400_000L + 2 * 7 * 86_400_000L + 3 * 86_400_000L + 4 * 3_600_000L + 5 * 60_000L + 6_000L + 7)]
    public void DurationValues(string input, long milliseconds)
    {
        Assert.True(GoLiterals.TryParseDuration(input, out var d, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData("5m1h", "not a valid duration string: \"5m1h\"")] // units must be in descending order
    [InlineData("1h1d", "not a valid duration string: \"1h1d\"")]
    [InlineData("300000000000y", "duration out of range")]
    public void InvalidDurations(string input, string error)
    {
        Assert.False(GoLiterals.TryParseDuration(input, out _, out var actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData("x[5]", "missing unit character in duration")]
    [InlineData("x[]", "missing unit character in duration")]
    [InlineData("x[5mm]", "bad duration syntax: \"5mm\"")]
    [InlineData("x[1y2y]", "bad duration syntax: \"1y2\"")]
    public void DurationLexErrors(string input, string error)
    {
        var t = Lexer.Tokenize(input)[^1];
        Assert.Equal(TokenKind.Error, t.Kind);
        Assert.Equal(error, t.Val);
    }

    [Fact]
    public void DurationOutsideBracketsIsADurationToken()
    {
        Assert.Equal([(TokenKind.Offset, "offset"), (TokenKind.Sub, "-"), (TokenKind.Duration, "5m"), (TokenKind.Eof, "")],
            Lex("offset -5m"));
    }

    [Fact]
    public void CommentsRunToEndOfLine()
    {
        Assert.Equal(
        [
            (TokenKind.Identifier, "foo"), (TokenKind.Comment, "# a comment + bar"), (TokenKind.Add, "+"),
            (TokenKind.Identifier, "baz"), (TokenKind.Eof, ""),
        ], Lex("foo # a comment + bar\n+ baz"));
    }

    [Fact]
    public void CommentInsideBraces()
    {
        Assert.Equal(
        [
            (TokenKind.LeftBrace, "{"), (TokenKind.Identifier, "a"), (TokenKind.Comment, "# c"), (TokenKind.Eql, "="),
            (TokenKind.String, "\"b\""), (TokenKind.RightBrace, "}"), (TokenKind.Eof, ""),
        ], Lex("{a # c\n=\"b\"}"));
    }

    [Theory]
    [InlineData("sum", TokenKind.Sum)]
    [InlineData("SUM", TokenKind.Sum)]
    [InlineData("Count_Values", TokenKind.CountValues)]
    [InlineData("by", TokenKind.By)]
    [InlineData("BY", TokenKind.By)]
    [InlineData("without", TokenKind.Without)]
    [InlineData("on", TokenKind.On)]
    [InlineData("ignoring", TokenKind.Ignoring)]
    [InlineData("group_left", TokenKind.GroupLeft)]
    [InlineData("GROUP_RIGHT", TokenKind.GroupRight)]
    [InlineData("bool", TokenKind.Bool)]
    [InlineData("Offset", TokenKind.Offset)]
    [InlineData("and", TokenKind.And)]
    [InlineData("OR", TokenKind.Or)]
    [InlineData("unless", TokenKind.Unless)]
    [InlineData("atan2", TokenKind.Atan2)]
    [InlineData("start", TokenKind.Start)]
    [InlineData("end", TokenKind.End)]
    [InlineData("rate", TokenKind.Identifier)]
    [InlineData("summary", TokenKind.Identifier)]
    [InlineData("a:b", TokenKind.MetricIdentifier)]
    [InlineData(":x", TokenKind.MetricIdentifier)]
    public void KeywordsAreCaseInsensitive(string input, TokenKind kind)
    {
        var t = Single(input);
        Assert.Equal(kind, t.Kind);
        Assert.Equal(input, t.Val);
    }

    [Fact]
    public void KeywordsInsideBracesAreIdentifiers()
    {
        Assert.Equal(
        [
            (TokenKind.LeftBrace, "{"), (TokenKind.Identifier, "sum"), (TokenKind.NeqRegex, "!~"),
            (TokenKind.String, "'x'"), (TokenKind.Comma, ","), (TokenKind.Identifier, "on"), (TokenKind.EqlRegex, "=~"),
            (TokenKind.String, "`y`"), (TokenKind.Comma, ","), (TokenKind.RightBrace, "}"), (TokenKind.Eof, ""),
        ], Lex("{sum!~'x',on=~`y`,}"));
    }

    [Fact]
    public void Operators()
    {
        Assert.Equal(
            [TokenKind.Add, TokenKind.Sub, TokenKind.Mul, TokenKind.Div, TokenKind.Mod, TokenKind.Pow, TokenKind.Eqlc,
             TokenKind.Neq, TokenKind.Lte, TokenKind.Lss, TokenKind.Gte, TokenKind.Gtr, TokenKind.At, TokenKind.Eql,
             TokenKind.Eof],
            Lexer.Tokenize("+ - * / % ^ == != <= < >= > @ =").Select(t => t.Kind));
    }

    [Fact]
    public void LetterInsideBracketsLexesAsColon()
    {
        // A lexer quirk of Prometheus: inside [...] any letter is taken as the subquery colon, so x[5m a] is x[5m:].
        Assert.Equal(TokenKind.Colon, Lexer.Tokenize("x[5m a]")[3].Kind);
        Assert.Equal("OK", PromQLTestHelpers.Result("x[5m a]"));
    }

    [Fact]
    public void PositionsAreUtf8ByteOffsets()
    {
        var tokens = Lexer.Tokenize("\"é\" + x");
        Assert.Equal(0, tokens[0].Pos);
        Assert.Equal(4, tokens[0].EndPos);
        Assert.Equal(5, tokens[1].Pos);
        Assert.Equal(7, tokens[2].Pos);
    }

    [Theory]
    [InlineData("1 =~ 1", "unexpected character after '=': '~'", 2)]
    [InlineData("a ! b", "unexpected character after '!': ' '", 2)]
    [InlineData("{a!b}", "unexpected character after '!' inside braces: 'b'", 2)]
    [InlineData("a $", "unexpected character: '$'", 2)]
    [InlineData("{1}", "unexpected character inside braces: '1'", 1)]
    [InlineData("{a{", "unexpected left brace '{'", 2)]
    [InlineData("{a", "unexpected end of input inside braces", 2)]
    [InlineData("a)", "unexpected right parenthesis ')'", 2)] // positioned after the parenthesis
    [InlineData("(a", "unclosed left parenthesis", 2)]
    [InlineData("a[5m", "unclosed left bracket", 4)]
    [InlineData("a]", "unexpected right bracket ']'", 1)]
    [InlineData("a[5m[", "unexpected left bracket '['", 4)]
    [InlineData("a[5m:1m:", "unexpected colon ':'", 7)]
    [InlineData("é", "unexpected character: 'é'", 0)]
    public void LexErrors(string input, string error, int pos)
    {
        var t = Lexer.Tokenize(input)[^1];
        Assert.Equal(TokenKind.Error, t.Kind);
        Assert.Equal(error, t.Val);
        Assert.Equal(pos, t.Pos);
    }
}
