namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Lexer states for strings, numbers and durations.</summary>
public sealed partial class Lexer
{
    private State LexString()
    {
        while (true)
        {
            var r = Next();
            if (r == '\\')
            {
                if (LexEscape() is { } error)
                {
                    return error;
                }
                continue;
            }
            if (r == 0xFFFD)
            {
                return Errorf("invalid UTF-8 rune");
            }
            if (r is EofRune or '\n')
            {
                return Errorf("unterminated quoted string");
            }
            if (r == _stringOpen)
            {
                break;
            }
        }
        Emit(TokenKind.String);
        return State.Statements;
    }

    private State LexRawString()
    {
        while (true)
        {
            var r = Next();
            if (r == 0xFFFD)
            {
                return Errorf("invalid UTF-8 rune");
            }
            if (r == EofRune)
            {
                return Errorf("unterminated raw string");
            }
            if (r == _stringOpen)
            {
                break;
            }
        }
        Emit(TokenKind.String);
        return State.Statements;
    }

    /// <summary>Validates an escape sequence after a backslash; returns the error state, or null when valid.</summary>
    private State? LexEscape()
    {
        int n;
        uint numberBase, max;
        var ch = Next();
        switch (ch)
        {
            case 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\':
                return null;
            case >= '0' and <= '7':
                (n, numberBase, max) = (3, 8, 255);
                break;
            case 'x':
                ch = Next();
                (n, numberBase, max) = (2, 16, 255);
                break;
            case 'u':
                ch = Next();
                (n, numberBase, max) = (4, 16, 0x10FFFF);
                break;
            case 'U':
                ch = Next();
                (n, numberBase, max) = (8, 16, 0x10FFFF);
                break;
            case EofRune:
                return Errorf("escape sequence not terminated");
            default:
                if (ch == _stringOpen)
                {
                    return null;
                }
                return Errorf($"unknown escape sequence {GoFormat.UnicodeWithChar(ch)}");
        }

        uint x = 0;
        while (n > 0)
        {
            var d = (uint)DigitVal(ch);
            if (d >= numberBase)
            {
                return ch == EofRune
                    ? Errorf("escape sequence not terminated")
                    : Errorf($"illegal character {GoFormat.UnicodeWithChar(ch)} in escape sequence");
            }
            x = unchecked(x * numberBase + d);
            n--;
            if (n > 0)
            {
                ch = Next();
            }
        }
        if (x > max || (x >= 0xD800 && x < 0xE000))
        {
            return Errorf("escape sequence is an invalid Unicode code point");
        }
        return null;
    }

    private static int DigitVal(int ch) => ch switch
    {
        >= '0' and <= '9' => ch - '0',
        >= 'a' and <= 'f' => ch - 'a' + 10,
        >= 'A' and <= 'F' => ch - 'A' + 10,
        _ => 16,
    };

    private State LexNumberOrDuration()
    {
        if (ScanNumber())
        {
            Emit(TokenKind.Number);
            return State.Statements;
        }
        if (AcceptRemainingDuration())
        {
            Backup();
            Emit(TokenKind.Duration);
            return State.Statements;
        }
        return Errorf($"bad number or duration syntax: {GoFormat.Quote(Slice(_start, _pos))}");
    }

    private State LexDuration()
    {
        if (ScanNumber())
        {
            return Errorf("missing unit character in duration");
        }
        if (!AcceptRemainingDuration())
        {
            return Errorf($"bad duration syntax: {GoFormat.Quote(Slice(_start, _pos))}");
        }
        Backup();
        Emit(TokenKind.Duration);
        return State.Statements;
    }

    private bool AcceptRemainingDuration()
    {
        if (!Accept("smhdwy"))
        {
            return false;
        }
        Accept("s"); // "ms"; bad units like "hs" are rejected when the duration is parsed.
        while (Accept("0123456789"))
        {
            AcceptRun("0123456789");
            if (!Accept("smhdw"))
            {
                return false;
            }
            Accept("s");
        }
        return !IsAlphaNumeric(Next());
    }

    /// <summary>Scans something number-like; true when it is not followed by an alphanumeric character. The text is
    /// not necessarily a valid number; that is checked by the parser.</summary>
    private bool ScanNumber()
    {
        var digits = "0123456789";
        if (Accept("0") && Accept("xX"))
        {
            digits = "0123456789abcdefABCDEF";
        }
        AcceptRun(digits);
        if (Accept("."))
        {
            AcceptRun(digits);
        }
        if (Accept("eE"))
        {
            Accept("+-");
            AcceptRun("0123456789");
        }
        return !IsAlphaNumeric(Peek());
    }
}
