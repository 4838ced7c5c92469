using System.Text.RegularExpressions;
using OrleansExemplars.Prometheus.Re2;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>RE2 (Go regexp) validation with Go's messages, and translation to .NET with RE2 semantics.</summary>
public class Re2SyntaxTests
{
    [Theory]
    [InlineData("(", "error parsing regexp: missing closing ): `^(?:()$`")]
    [InlineData(")", "error parsing regexp: unexpected ): `^(?:))$`")]
    [InlineData("a)|(b", "error parsing regexp: unexpected ): `a)|(b`")]
    [InlineData("[a", "error parsing regexp: missing closing ]: `[a)$`")]
    [InlineData("a**", "error parsing regexp: invalid nested repetition operator: `**`")]
    [InlineData("a*??", "error parsing regexp: invalid nested repetition operator: `*??`")]
    [InlineData("x{2}?{3}", "error parsing regexp: invalid nested repetition operator: `{2}?{3}`")]
    [InlineData("*", "error parsing regexp: missing argument to repetition operator: `*`")]
    [InlineData("a|+", "error parsing regexp: missing argument to repetition operator: `+`")]
    [InlineData("(?i)*", "error parsing regexp: missing argument to repetition operator: `*`")]
    [InlineData("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`")]
    [InlineData("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`")]
    [InlineData("(a{100}){100}", "error parsing regexp: invalid repeat count: `{100}`")]
    [InlineData(@"\q", @"error parsing regexp: invalid escape sequence: `\q`")]
    [InlineData(@"\1", @"error parsing regexp: invalid escape sequence: `\1`")]
    [InlineData(@"\C", @"error parsing regexp: invalid escape sequence: `\C`")]
    [InlineData(@"\Z", @"error parsing regexp: invalid escape sequence: `\Z`")]
    [InlineData(@"[\b]", @"error parsing regexp: invalid escape sequence: `\b`")]
    [InlineData(@"\x{110000}", @"error parsing regexp: invalid escape sequence: `\x{110000`")]
    [InlineData("[z-a]", "error parsing regexp: invalid character class range: `z-a`")]
    [InlineData("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`")]
    [InlineData(@"\p{Foo}", @"error parsing regexp: invalid character class range: `\p{Foo}`")]
    [InlineData(@"\p{Toto}", @"error parsing regexp: invalid character class range: `\p{Toto}`")] // Unicode 14
    [InlineData("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`")]
    [InlineData("(?<n>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`")] // Go 1.19
    [InlineData("(?i-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`")]
    [InlineData("(?P<a-b>a)", "error parsing regexp: invalid named capture: `(?P<a-b>`")]
    [InlineData(@"\", @"error parsing regexp: missing closing ): `^(?:\)$`")]
    public void RejectsLikeGo(string pattern, string error)
    {
        Assert.Equal(error, Re2Syntax.Validate(pattern));
    }

    [Theory]
    [InlineData("a{01}")] // not a repeat: literal
    [InlineData("a{,5}")]
    [InlineData("^*")]
    [InlineData("(?)a")]
    [InlineData("(?P<n>a)(?P<n>b)")]
    [InlineData(@"\Qa.b\E*")]
    [InlineData(@"\pL\PN\p{Greek}\p{^Lu}")]
    [InlineData("[[:^alpha:]]")]
    [InlineData(@"[\d-z]")]
    [InlineData(@"\_")]
    [InlineData("[]a]")]
    [InlineData("(a{10}){100}")]
    public void AcceptsLikeGo(string pattern)
    {
        Assert.Null(Re2Syntax.Validate(pattern));
    }

    [Theory]
    [InlineData("b", "b", true)]
    [InlineData("b", "ab", false)]
    [InlineData("b|c", "c", true)]
    [InlineData("b|c", "bc", false)]
    [InlineData("a.c", "a\nc", false)]
    [InlineData("(?s)a.c", "a\nc", true)]
    [InlineData("a$", "a\n", false)]
    [InlineData("(?m)a$", "a", true)]
    [InlineData(@"\d+", "123", true)]
    [InlineData(@"\d+", "١٢٣", false)] // RE2's \d is ASCII only
    [InlineData(@"\w+", "é", false)]
    [InlineData(@"\pL+", "é", true)]
    [InlineData("[[:alpha:]]+", "abC", true)]
    [InlineData("[[:alpha:]]+", "a1", false)]
    [InlineData(@"\Qa.b\E", "a.b", true)]
    [InlineData(@"\Qa.b\E", "axb", false)]
    [InlineData("(?i)abc", "ABC", true)]
    [InlineData("a(?i)b", "aB", true)]
    [InlineData("a(?i)b", "AB", false)]
    [InlineData("(?i:a)b", "AB", false)]
    [InlineData(@"\bfoo\b", "foo", true)]
    [InlineData("(?U)a+", "aaa", true)]
    [InlineData("x{2,3}", "xxxx", false)]
    [InlineData(@"[^\n]+", "a\nb", false)]
    [InlineData("[^a]", "\n", true)]
    [InlineData(@"\x41\101", "AA", true)]
    [InlineData("", "", true)]
    public void TranslatedRegexMatchesLikeGo(string pattern, string input, bool matches)
    {
        Assert.Equal(matches, Re2Syntax.CompileAnchored(pattern).IsMatch(input));
    }

    [Theory]
    [InlineData(@"\p{Greek}")]
    [InlineData(@"a|[\p{Han}x]")]
    [InlineData(@"(?i)\P{Latin}+")]
    public void UnsupportedScriptClassesAreRefusedNamingTheClass(string pattern)
    {
        Assert.Null(Re2Syntax.Validate(pattern)); // Go accepts them
        var e = Assert.Throws<Re2UnsupportedException>(() => Re2Syntax.CompileAnchored(pattern));
        Assert.Matches(@"^unsupported regexp: Unicode script class \\p\{(Greek|Han|Latin)\} ", e.Message);
        Assert.Throws<ArgumentException>(() => Re2Syntax.CompileAnchored("("));
    }

    [Fact]
    public void TranslationCompilesForManyConstructs()
    {
        var pattern = @"^(?i)(?P<x>a|b[c-e\d[:space:]]{2,}?)\s*\x{1F600}(?:\.\*)+?$|(?m:^z$)|\p{Lu}\PL[^\W]";
        Assert.Null(Re2Syntax.Validate(pattern));
        _ = new Regex(Re2Syntax.ToDotNetAnchored(pattern), RegexOptions.NonBacktracking);
    }
}
