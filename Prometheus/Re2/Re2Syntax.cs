
namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// Go RE2 regular expression support for label matchers: validation with Go's error messages and linear-time
/// matching with RE2's semantics, so that <c>=~</c>/<c>!~</c> matchers accept, reject and match exactly like
/// Prometheus (which compiles <c>^(?:pattern)$</c> with Go's <c>regexp</c>).
/// </summary>
public static class Re2Syntax
{
    /// <summary>How many compiled patterns a process keeps (see <see cref="Re2MatcherCache"/>).</summary>
    public const int CacheCapacity = 256;

    private static readonly Re2MatcherCache Cache = new(CacheCapacity);

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
    /// The fully anchored matcher for <paramref name="pattern"/>, from a process-wide bounded cache. Throws
    /// <see cref="ArgumentException"/> with Go's message if the pattern is not valid RE2, and
    /// <see cref="Re2UnsupportedException"/> for Unicode script classes (<c>\p{Greek}</c>), which .NET lacks.
    /// </summary>
    public static Re2Matcher CompileAnchored(string pattern) => Cache.GetOrAdd(pattern, p => Re2Matcher.Create(p));

    /// <summary>
    /// The .NET pattern (for <c>RegexOptions.NonBacktracking</c>) equivalent to the RE2 pattern <c>^(?:pattern)$</c>.
    /// Throws <see cref="ArgumentException"/> with Go's message for an invalid pattern, and
    /// <see cref="NotSupportedException"/> for word boundaries (which only the NFA runs) and script classes.
    /// </summary>
    public static string ToDotNetAnchored(string pattern)
    {
        if (Validate(pattern) is { } error)
        {
            throw new ArgumentException(error, nameof(pattern));
        }
        return Re2Emitter.Emit(Re2Parser.Parse(Anchor(pattern)));
    }

    internal static string Anchor(string pattern) => "^(?:" + pattern + ")$";
}
