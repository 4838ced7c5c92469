namespace OrleansExemplars.Prometheus.Re2;

/// <summary>Backslash escapes and character classes.</summary>
internal sealed partial class Re2Parser
{
    private void ParseBackslash(List<Re2Node> items)
    {
        if (_pos + 1 < _s.Length)
        {
            switch (_s[_pos + 1])
            {
                case 'A':
                    _pos += 2;
                    items.Add(new Re2Assertion(Re2AssertionKind.BeginText));
                    return;
                case 'b':
                    _pos += 2;
                    items.Add(new Re2Assertion(Re2AssertionKind.WordBoundary));
                    return;
                case 'B':
                    _pos += 2;
                    items.Add(new Re2Assertion(Re2AssertionKind.NoWordBoundary));
                    return;
                case 'C':
                    throw new Re2Exception(Re2ErrorCodes.InvalidEscape, _s.Substring(_pos, 2));
                case 'Q':
                {
                    // \Q...\E: everything up to \E (or the end) is literal.
                    var end = _s.IndexOf("\\E", _pos + 2, StringComparison.Ordinal);
                    var stop = end < 0 ? _s.Length : end;
                    _pos += 2;
                    while (_pos < stop)
                    {
                        items.Add(Literal(NextRune()));
                    }
                    _pos = end < 0 ? _s.Length : end + 2;
                    return;
                }
                case 'z':
                    _pos += 2;
                    items.Add(new Re2Assertion(Re2AssertionKind.EndText));
                    return;
            }
        }

        var escape = new CodePointSet.Builder();
        string? script = null;
        if (TryParseUnicodeClass(escape, ref script) || TryParsePerlClass(escape))
        {
            items.Add(new Re2CharClass(escape.ToSet(), script));
            return;
        }
        items.Add(Literal(ParseEscape()));
    }

    /// <summary>Go's parseEscape: a single escaped character at a backslash.</summary>
    private int ParseEscape()
    {
        var start = _pos;
        _pos++;
        if (AtEnd)
        {
            throw new Re2Exception(Re2ErrorCodes.TrailingBackslash, "");
        }
        var c = NextRune();
        switch (c)
        {
            case >= '1' and <= '7' when AtEnd || Cur is < '0' or > '7':
                break; // a backreference, which RE2 does not support
            case >= '0' and <= '7':
            {
                var r = c - '0';
                for (var i = 1; i < 3 && !AtEnd && Cur is >= '0' and <= '7'; i++)
                {
                    r = r * 8 + (Cur - '0');
                    _pos++;
                }
                return r;
            }
            case 'x':
                if (AtEnd)
                {
                    break;
                }
                if (TryParseHexEscape(out var hex))
                {
                    return hex;
                }
                break;
            case 'a': return '\a';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'v': return '\v';
            default:
                if (c < 0x80 && !char.IsAsciiLetterOrDigit((char)c))
                {
                    return c; // escaped punctuation is itself
                }
                break;
        }
        throw new Re2Exception(Re2ErrorCodes.InvalidEscape, _s[start.._pos]);
    }

    /// <summary>After <c>\x</c>: two hex digits or <c>{hex...}</c>; on failure the position marks what was read.</summary>
    private bool TryParseHexEscape(out int value)
    {
        value = 0;
        var c = NextRune();
        if (c == '{')
        {
            var digits = 0;
            while (true)
            {
                if (AtEnd)
                {
                    return false;
                }
                c = NextRune();
                if (c == '}')
                {
                    break;
                }
                var v = HexVal(c);
                if (v < 0)
                {
                    return false;
                }
                value = value * 16 + v;
                if (value > 0x10FFFF)
                {
                    return false;
                }
                digits++;
            }
            return digits > 0;
        }
        var x = HexVal(c);
        var y = AtEnd ? -1 : HexVal(NextRune());
        if (x < 0 || y < 0)
        {
            return false;
        }
        value = x * 16 + y;
        return true;
    }

    private static int HexVal(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary><c>\d \D \s \S \w \W</c>.</summary>
    private bool TryParsePerlClass(CodePointSet.Builder into)
    {
        if (_pos + 1 >= _s.Length || _s[_pos] != '\\' ||
            !Re2Tables.Perl.TryGetValue(char.ToLowerInvariant(_s[_pos + 1]), out var table))
        {
            return false;
        }
        AddGroup(into, table, negate: char.IsUpper(_s[_pos + 1]));
        _pos += 2;
        return true;
    }

    /// <summary><c>\pL</c>, <c>\p{Greek}</c>, <c>\P{Lu}</c>, <c>\p{^Lu}</c>; a script's name goes to <paramref name="script"/>.</summary>
    private bool TryParseUnicodeClass(CodePointSet.Builder into, ref string? script)
    {
        if (_pos + 1 >= _s.Length || _s[_pos] != '\\' || _s[_pos + 1] is not ('p' or 'P'))
        {
            return false;
        }
        var start = _pos;
        var negated = _s[_pos + 1] == 'P';
        _pos += 2;
        if (AtEnd)
        {
            // Go: nextRune("") yields an error-free RuneError; the single-letter name is then empty.
            throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, _s[start..]);
        }
        string name;
        if (Cur != '{')
        {
            NextRune();
            name = _s[(start + 2).._pos];
        }
        else
        {
            var close = _s.IndexOf('}', start);
            if (close < 0)
            {
                throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, _s[start..]);
            }
            name = _s[(start + 3)..close];
            _pos = close + 1;
        }
        var seq = _s[start.._pos];
        if (name.StartsWith('^'))
        {
            negated = !negated;
            name = name[1..];
        }
        if (name == "Any")
        {
            if (!negated)
            {
                into.Add(CodePointSet.All);
            }
            return true;
        }
        if (Re2Tables.Categories.Contains(name))
        {
            // Go folds the table (unicode.FoldCategory) before negating it, as for the Perl and POSIX groups.
            var set = Re2Unicode.Category(name);
            if ((_flags & FoldCase) != 0)
            {
                set = Re2Unicode.Fold(set);
            }
            into.Add(negated ? set.Negate() : set);
            return true;
        }
        if (Re2Tables.Scripts.Contains(name))
        {
            script ??= name;
            return true;
        }
        throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, seq);
    }

    /// <summary>Go's appendGroup: a Perl or POSIX table, case-folded under <c>(?i)</c>, then negated if asked.</summary>
    private void AddGroup(CodePointSet.Builder into, (int Lo, int Hi)[] table, bool negate)
    {
        var builder = new CodePointSet.Builder();
        foreach (var (lo, hi) in table)
        {
            builder.Add(lo, hi);
        }
        var set = builder.ToSet();
        if ((_flags & FoldCase) != 0)
        {
            set = Re2Unicode.Fold(set);
        }
        into.Add(negate ? set.Negate() : set);
    }

    /// <summary>Go's parseClass: <c>[...]</c> / <c>[^...]</c> at '['.</summary>
    private Re2CharClass ParseClass()
    {
        var classStart = _pos;
        _pos++;
        var negated = false;
        if (!AtEnd && Cur == '^')
        {
            negated = true;
            _pos++;
        }
        var items = new CodePointSet.Builder();
        string? script = null;
        var first = true; // ']' is literal as the first character
        while (AtEnd || Cur != ']' || first)
        {
            first = false;
            if (_pos + 2 < _s.Length && Cur == '[' && _s[_pos + 1] == ':' && TryParseNamedClass(items))
            {
                continue;
            }
            if (TryParseUnicodeClass(items, ref script) || TryParsePerlClass(items))
            {
                continue;
            }
            var rangeStart = _pos;
            var lo = ParseClassChar(classStart);
            var hi = lo;
            if (_pos + 1 < _s.Length && Cur == '-' && _s[_pos + 1] != ']')
            {
                _pos++;
                hi = ParseClassChar(classStart);
                if (hi < lo)
                {
                    throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, _s[rangeStart.._pos]);
                }
            }
            if ((_flags & FoldCase) != 0)
            {
                items.Add(Re2Unicode.Fold(new CodePointSet.Builder().Add(lo, hi).ToSet()));
            }
            else
            {
                items.Add(lo, hi);
            }
        }
        _pos++; // ']'
        var set = items.ToSet();
        return new Re2CharClass(negated ? set.Negate() : set, script);
    }

    private int ParseClassChar(int classStart)
    {
        if (AtEnd)
        {
            throw new Re2Exception(Re2ErrorCodes.MissingBracket, _s[classStart..]);
        }
        return Cur == '\\' ? ParseEscape() : NextRune();
    }

    /// <summary><c>[:alpha:]</c> / <c>[:^alpha:]</c> inside a class; false when there is no closing <c>:]</c>.</summary>
    private bool TryParseNamedClass(CodePointSet.Builder into)
    {
        var close = _s.IndexOf(":]", _pos + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }
        var full = _s[_pos..(close + 2)];
        var name = _s[(_pos + 2)..close];
        var negate = name.StartsWith('^');
        if (!Re2Tables.Posix.TryGetValue(negate ? name[1..] : name, out var table))
        {
            throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, full);
        }
        AddGroup(into, table, negate);
        _pos = close + 2;
        return true;
    }
}
