namespace OrleansExemplars.GrainInterfaces.PromQL.Re2;

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

        var ranges = new List<(int, int)>();
        var categories = new List<(string, bool)>();
        if (TryParseUnicodeClass(categories, ranges) || TryParsePerlClass(ranges))
        {
            items.Add(new Re2CharClass(ranges, categories, false, (_flags & FoldCase) != 0));
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
    private bool TryParsePerlClass(List<(int, int)> ranges)
    {
        if (_pos + 1 >= _s.Length || _s[_pos] != '\\' ||
            !Re2Tables.Perl.TryGetValue(char.ToLowerInvariant(_s[_pos + 1]), out var table))
        {
            return false;
        }
        AddTable(ranges, table, negate: char.IsUpper(_s[_pos + 1]));
        _pos += 2;
        return true;
    }

    /// <summary><c>\pL</c>, <c>\p{Greek}</c>, <c>\P{Lu}</c>, <c>\p{^Lu}</c>.</summary>
    private bool TryParseUnicodeClass(List<(string, bool)> categories, List<(int, int)> ranges)
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
                ranges.Add((0, 0x10FFFF));
            }
            return true;
        }
        if (!Re2Tables.Categories.Contains(name) && !Re2Tables.Scripts.Contains(name))
        {
            throw new Re2Exception(Re2ErrorCodes.InvalidCharRange, seq);
        }
        categories.Add((name, negated));
        return true;
    }

    private static void AddTable(List<(int, int)> ranges, (int Lo, int Hi)[] table, bool negate)
    {
        if (!negate)
        {
            ranges.AddRange(table.Select(r => (r.Lo, r.Hi)));
            return;
        }
        var next = 0;
        foreach (var (lo, hi) in table)
        {
            if (next <= lo - 1)
            {
                ranges.Add((next, lo - 1));
            }
            next = hi + 1;
        }
        if (next <= 0x10FFFF)
        {
            ranges.Add((next, 0x10FFFF));
        }
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
        var ranges = new List<(int, int)>();
        var categories = new List<(string, bool)>();
        var first = true; // ']' is literal as the first character
        while (AtEnd || Cur != ']' || first)
        {
            first = false;
            if (_pos + 2 < _s.Length && Cur == '[' && _s[_pos + 1] == ':' && TryParseNamedClass(ranges))
            {
                continue;
            }
            if (TryParseUnicodeClass(categories, ranges) || TryParsePerlClass(ranges))
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
            ranges.Add((lo, hi));
        }
        _pos++; // ']'
        return new Re2CharClass(ranges, categories, negated, (_flags & FoldCase) != 0);
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
    private bool TryParseNamedClass(List<(int, int)> ranges)
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
        AddTable(ranges, table, negate);
        _pos = close + 2;
        return true;
    }
}
