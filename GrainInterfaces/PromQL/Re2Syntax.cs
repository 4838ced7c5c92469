using System.Text.RegularExpressions;
using OrleansExemplars.GrainInterfaces.PromQL.Re2;

namespace OrleansExemplars.GrainInterfaces.PromQL;

/// <summary>
/// Go RE2 regular expression support for label matchers: validation with Go's error messages and translation to
/// an equivalent .NET regex, so that <c>=~</c>/<c>!~</c> matchers accept, reject and match exactly like Prometheus
/// (which compiles <c>^(?:pattern)$</c> with Go's <c>regexp</c>).
/// </summary>
public static class Re2Syntax
{
    /// <summary>
    /// Validates <paramref name="pattern"/> as Prometheus' <c>labels.NewFastRegexMatcher</c> does (first the
    /// anchored <c>^(?:pattern)$</c>, then the pattern alone). Returns null when valid, else Go's error text,
    /// e.g. <c>error parsing regexp: missing closing ): `^(?:()$`</c>.
    /// </summary>
    public static string? Validate(string pattern)
    {
        try
        {
            Re2Parser.Parse(Anchor(pattern));
            Re2Parser.Parse(pattern);
            return null;
        }
        catch (Re2Exception e)
        {
            return e.Message;
        }
        catch (InsufficientExecutionStackException)
        {
            return "error parsing regexp: expression nests too deeply: `" + pattern + "`";
        }
    }

    /// <summary>
    /// The .NET pattern equivalent to the RE2 pattern <c>^(?:pattern)$</c>, i.e. a full-string match with Go
    /// semantics. Throws <see cref="ArgumentException"/> if the pattern is not valid RE2 and
    /// <see cref="NotSupportedException"/> for Unicode script classes (<c>\p{Greek}</c>), which .NET lacks.
    /// </summary>
    public static string ToDotNetAnchored(string pattern)
    {
        if (Validate(pattern) is { } error)
        {
            throw new ArgumentException(error, nameof(pattern));
        }
        return Re2Emitter.Emit(Re2Parser.Parse(Anchor(pattern)));
    }

    /// <summary>Compiles <paramref name="pattern"/> as a fully anchored matcher with Go RE2 semantics.</summary>
    public static Regex CompileAnchored(string pattern, TimeSpan matchTimeout) =>
        new(ToDotNetAnchored(pattern), RegexOptions.CultureInvariant, matchTimeout);

    private static string Anchor(string pattern) => "^(?:" + pattern + ")$";
}
