using System.Runtime.CompilerServices;

namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// A parser for Go's RE2 syntax with <c>syntax.Perl</c> flags, as used by Prometheus label matchers. It accepts
/// exactly what Go 1.19's <c>regexp/syntax</c> accepts and reports the first error with Go's message, so that
/// invalid regexes are rejected like Prometheus rejects them.
/// </summary>
internal sealed partial class Re2Parser
{
    private const int FoldCase = 1;
    private const int DotNL = 2;
    private const int OneLine = 4;
    private const int NonGreedy = 8;
    private const int MaxRepeat = 1000;
    private const int MaxCaptureDepth = 1000;

    private static readonly CodePointSet AnyCharNotNewline = new CodePointSet.Builder().Add(0, '\n' - 1).Add('\n' + 1, CodePointSet.MaxRune).ToSet();

    private readonly string _s;
    private int _pos;
    private int _flags = OneLine;

    // Start of the repetition operator parsed in the previous step, if the previous step was one (Go's lastRepeat).
    private int _lastRepeat = -1;
    private int _captureDepth;

    private Re2Parser(string s)
    {
        _s = s;
    }

    /// <summary>Parses <paramref name="pattern"/>; throws <see cref="Re2Exception"/> on the first syntax error.</summary>
    public static Re2Node Parse(string pattern) => new Re2Parser(pattern).ParseTop();

    private Re2Node ParseTop()
    {
        var node = ParseAlternation();
        if (_pos < _s.Length)
        {
            // Only a ')' without matching '(' stops an alternation at the top level.
            throw new Re2Exception(Re2ErrorCodes.UnexpectedParen, _s);
        }
        return node;
    }

    private bool AtEnd => _pos >= _s.Length;

    private char Cur => _s[_pos];

    private Re2Node ParseAlternation()
    {
        var branches = new List<Re2Node> { ParseConcat() };
        while (!AtEnd && Cur == '|')
        {
            _pos++;
            _lastRepeat = -1;
            branches.Add(ParseConcat());
        }
        return branches.Count == 1 ? branches[0] : new Re2Alternate(branches);
    }

    private Re2Node ParseConcat()
    {
        var items = new List<Re2Node>();
        while (!AtEnd && Cur != '|' && Cur != ')')
        {
            var repeatStart = -1;
            var c = Cur;
            switch (c)
            {
                case '(':
                    if (ParseGroupOrFlags() is { } group)
                    {
                        items.Add(group);
                    }
                    break;
                case '^':
                    _pos++;
                    items.Add(new Re2Assertion((_flags & OneLine) != 0 ? Re2AssertionKind.BeginText : Re2AssertionKind.BeginLine));
                    break;
                case '$':
                    _pos++;
                    items.Add(new Re2Assertion((_flags & OneLine) != 0 ? Re2AssertionKind.EndText : Re2AssertionKind.EndLine));
                    break;
                case '.':
                    _pos++;
                    items.Add(new Re2CharClass((_flags & DotNL) != 0 ? CodePointSet.All : AnyCharNotNewline));
                    break;
                case '[':
                    items.Add(ParseClass());
                    break;
                case '*' or '+' or '?':
                    repeatStart = _pos;
                    _pos++;
                    var (min, max) = c switch { '*' => (0, -1), '+' => (1, -1), _ => (0, 1) };
                    ApplyRepeat(items, repeatStart, min, max, counted: false);
                    break;
                case '{':
                    if (TryParseRepeatCount(out var rmin, out var rmax, out var end))
                    {
                        repeatStart = _pos;
                        if (rmin < 0 || rmin > MaxRepeat || rmax > MaxRepeat || (rmax >= 0 && rmin > rmax))
                        {
                            throw new Re2Exception(Re2ErrorCodes.InvalidRepeatSize, _s[_pos..end]);
                        }
                        _pos = end;
                        ApplyRepeat(items, repeatStart, rmin, rmax, counted: true);
                    }
                    else
                    {
                        _pos++;
                        items.Add(Literal('{'));
                    }
                    break;
                case '\\':
                    ParseBackslash(items);
                    break;
                default:
                    items.Add(Literal(NextRune()));
                    break;
            }
            _lastRepeat = repeatStart;
        }
        return items.Count == 1 ? items[0] : new Re2Concat(items);
    }

    private Re2Literal Literal(int rune) => new(rune, (_flags & FoldCase) != 0);

    private int NextRune()
    {
        var r = char.IsHighSurrogate(Cur) && _pos + 1 < _s.Length && char.IsLowSurrogate(_s[_pos + 1])
            ? char.ConvertToUtf32(Cur, _s[_pos + 1])
            : Cur;
        _pos += r > 0xFFFF ? 2 : 1;
        return r;
    }

    /// <summary>Applies a repetition operator (already consumed up to, not including, an optional '?').</summary>
    private void ApplyRepeat(List<Re2Node> items, int opStart, int min, int max, bool counted)
    {
        var greedy = (_flags & NonGreedy) == 0;
        if (!AtEnd && Cur == '?')
        {
            _pos++;
            greedy = !greedy;
        }
        if (_lastRepeat >= 0)
        {
            // a** and a*+ are errors, not doubled operators.
            throw new Re2Exception(Re2ErrorCodes.InvalidRepeatOp, _s[_lastRepeat.._pos]);
        }
        if (items.Count == 0)
        {
            throw new Re2Exception(Re2ErrorCodes.MissingRepeatArgument, _s[opStart.._pos]);
        }
        var repeat = new Re2Repeat(items[^1], min, max, greedy, counted);
        items[^1] = repeat;
        if (counted && (min >= 2 || max >= 2) && !RepeatIsValid(repeat, MaxRepeat))
        {
            throw new Re2Exception(Re2ErrorCodes.InvalidRepeatSize, _s[opStart.._pos]);
        }
    }

    /// <summary>Whether the nested counted repetitions multiply out to at most <paramref name="n"/> copies.</summary>
    private static bool RepeatIsValid(Re2Node node, int n)
    {
        if (node is Re2Repeat { Counted: true } r)
        {
            var m = r.Max;
            if (m == 0)
            {
                return true;
            }
            if (m < 0)
            {
                m = r.Min;
            }
            if (m > n)
            {
                return false;
            }
            if (m > 0)
            {
                n /= m;
            }
        }
        return node switch
        {
            Re2Repeat r2 => RepeatIsValid(r2.Sub, n),
            Re2Group g => RepeatIsValid(g.Sub, n),
            Re2Concat c => c.Subs.All(s => RepeatIsValid(s, n)),
            Re2Alternate a => a.Subs.All(s => RepeatIsValid(s, n)),
            _ => true,
        };
    }

    /// <summary>Go's parseRepeat: <c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c> (no leading zeros); anything else is a
    /// literal '{'. A number &gt;= 1e8 yields min = -1 (rejected by the caller).</summary>
    private bool TryParseRepeatCount(out int min, out int max, out int end)
    {
        min = max = 0;
        end = _pos + 1;
        if (!TryParseInt(ref end, out min) || end >= _s.Length)
        {
            return false;
        }
        if (_s[end] != ',')
        {
            max = min;
        }
        else
        {
            end++;
            if (end >= _s.Length)
            {
                return false;
            }
            if (_s[end] == '}')
            {
                max = -1;
            }
            else if (!TryParseInt(ref end, out max))
            {
                return false;
            }
            else if (max < 0)
            {
                min = -1;
            }
        }
        if (end >= _s.Length || _s[end] != '}')
        {
            return false;
        }
        end++;
        return true;
    }

    private bool TryParseInt(ref int i, out int n)
    {
        n = 0;
        if (i >= _s.Length || !char.IsAsciiDigit(_s[i]))
        {
            return false;
        }
        if (i + 1 < _s.Length && _s[i] == '0' && char.IsAsciiDigit(_s[i + 1]))
        {
            return false; // leading zeros are not allowed
        }
        for (; i < _s.Length && char.IsAsciiDigit(_s[i]); i++)
        {
            if (n >= 100_000_000)
            {
                n = -1;
            }
            else if (n >= 0)
            {
                n = n * 10 + (_s[i] - '0');
            }
        }
        return true;
    }

    /// <summary>'(' starts a capture group, a non-capturing group <c>(?flags:...)</c>, a named capture
    /// <c>(?P&lt;name&gt;...)</c>, or a flag change <c>(?flags)</c> (which yields no node).</summary>
    private Re2Node? ParseGroupOrFlags()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var start = _pos;
        var savedFlags = _flags;
        var capture = true;
        if (_pos + 1 < _s.Length && _s[_pos + 1] == '?')
        {
            if (_pos + 4 < _s.Length && _s[_pos + 2] == 'P' && _s[_pos + 3] == '<')
            {
                var close = _s.IndexOf('>', _pos);
                if (close < 0)
                {
                    throw new Re2Exception(Re2ErrorCodes.InvalidNamedCapture, _s[start..]);
                }
                var name = _s[(_pos + 4)..close];
                if (name.Length == 0 || !name.All(ch => ch == '_' || char.IsAsciiLetterOrDigit(ch)))
                {
                    throw new Re2Exception(Re2ErrorCodes.InvalidNamedCapture, _s[start..(close + 1)]);
                }
                _pos = close + 1;
            }
            else
            {
                if (!ParsePerlFlags(start))
                {
                    return null; // (?flags): changes flags for the rest of the current group
                }
                capture = false;
            }
        }
        else
        {
            _pos++;
        }

        if (capture && ++_captureDepth > MaxCaptureDepth)
        {
            throw new Re2Exception(Re2ErrorCodes.NestingDepth, _s);
        }
        _lastRepeat = -1;
        var sub = ParseAlternation();
        if (AtEnd)
        {
            throw new Re2Exception(Re2ErrorCodes.MissingParen, _s);
        }
        _pos++; // ')'
        if (capture)
        {
            _captureDepth--;
        }
        _flags = savedFlags;
        return new Re2Group(sub);
    }

    /// <summary>Parses <c>(?flags)</c> or <c>(?flags:</c> at <paramref name="start"/>; true when a group opens.</summary>
    private bool ParsePerlFlags(int start)
    {
        _pos = start + 2;
        var flags = _flags;
        var sign = 1;
        var sawFlag = false;
        while (!AtEnd)
        {
            var c = NextRune();
            switch (c)
            {
                case 'i':
                    flags |= FoldCase;
                    sawFlag = true;
                    continue;
                case 'm':
                    flags &= ~OneLine;
                    sawFlag = true;
                    continue;
                case 's':
                    flags |= DotNL;
                    sawFlag = true;
                    continue;
                case 'U':
                    flags |= NonGreedy;
                    sawFlag = true;
                    continue;
                case '-' when sign > 0:
                    sign = -1;
                    flags = ~flags;
                    sawFlag = false;
                    continue;
                case ':' or ')' when sign > 0 || sawFlag:
                    if (sign < 0)
                    {
                        flags = ~flags;
                    }
                    if (c == ')')
                    {
                        _flags = flags;
                        return false;
                    }
                    // A non-capturing group: the new flags apply inside it (the caller restores the old ones).
                    _flags = flags;
                    return true;
            }
            break;
        }
        throw new Re2Exception(Re2ErrorCodes.InvalidPerlOp, _s[start.._pos]);
    }
}
