namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>The lexer states (one method per state function of Prometheus' lex.go).</summary>
public sealed partial class Lexer
{
    private State LexStatements()
    {
        if (_braceOpen)
        {
            return State.InsideBraces;
        }
        if (HasPrefix((byte)'#'))
        {
            return State.LineComment;
        }

        var r = Next();
        switch (r)
        {
            case EofRune:
                if (_parenDepth != 0)
                {
                    return Errorf("unclosed left parenthesis");
                }
                if (_bracketOpen)
                {
                    return Errorf("unclosed left bracket");
                }
                Emit(TokenKind.Eof);
                return State.Done;
            case ',':
                Emit(TokenKind.Comma);
                break;
            case ' ' or '\t' or '\n' or '\r':
                return State.Space;
            case '*':
                Emit(TokenKind.Mul);
                break;
            case '/':
                Emit(TokenKind.Div);
                break;
            case '%':
                Emit(TokenKind.Mod);
                break;
            case '+':
                Emit(TokenKind.Add);
                break;
            case '-':
                Emit(TokenKind.Sub);
                break;
            case '^':
                Emit(TokenKind.Pow);
                break;
            case '=':
            {
                var t = Peek();
                if (t == '=')
                {
                    Next();
                    Emit(TokenKind.Eqlc);
                }
                else if (t == '~')
                {
                    return Errorf($"unexpected character after '=': {GoFormat.QuoteRune(t)}");
                }
                else
                {
                    Emit(TokenKind.Eql);
                }
                break;
            }
            case '!':
            {
                var t = Next();
                if (t != '=')
                {
                    return Errorf($"unexpected character after '!': {GoFormat.QuoteRune(t)}");
                }
                Emit(TokenKind.Neq);
                break;
            }
            case '<':
                if (Peek() == '=')
                {
                    Next();
                    Emit(TokenKind.Lte);
                }
                else
                {
                    Emit(TokenKind.Lss);
                }
                break;
            case '>':
                if (Peek() == '=')
                {
                    Next();
                    Emit(TokenKind.Gte);
                }
                else
                {
                    Emit(TokenKind.Gtr);
                }
                break;
            case '"' or '\'':
                _stringOpen = r;
                return State.String;
            case '`':
                _stringOpen = r;
                return State.RawString;
            case '(':
                Emit(TokenKind.LeftParen);
                _parenDepth++;
                break;
            case ')':
                Emit(TokenKind.RightParen);
                _parenDepth--;
                if (_parenDepth < 0)
                {
                    // As in Prometheus the already emitted item is replaced by the error, positioned after the ')'.
                    return Errorf($"unexpected right parenthesis {GoFormat.QuoteRune(r)}");
                }
                break;
            case '{':
                Emit(TokenKind.LeftBrace);
                _braceOpen = true;
                return State.InsideBraces;
            case '[':
                if (_bracketOpen)
                {
                    return Errorf($"unexpected left bracket {GoFormat.QuoteRune(r)}");
                }
                _gotColon = false;
                Emit(TokenKind.LeftBracket);
                while (IsSpace(Peek()))
                {
                    Next();
                }
                Ignore();
                _bracketOpen = true;
                return State.Duration;
            case ']':
                if (!_bracketOpen)
                {
                    return Errorf($"unexpected right bracket {GoFormat.QuoteRune(r)}");
                }
                Emit(TokenKind.RightBracket);
                _bracketOpen = false;
                break;
            case '@':
                Emit(TokenKind.At);
                break;
            default:
                if (IsDigit(r) || (r == '.' && IsDigit(Peek())))
                {
                    Backup();
                    return State.NumberOrDuration;
                }
                if (IsAlpha(r) || r == ':')
                {
                    if (!_bracketOpen)
                    {
                        Backup();
                        return State.KeywordOrIdentifier;
                    }
                    // Inside brackets any letter or colon is taken as the subquery colon (a Prometheus quirk).
                    if (_gotColon)
                    {
                        return Errorf($"unexpected colon {GoFormat.QuoteRune(r)}");
                    }
                    Emit(TokenKind.Colon);
                    _gotColon = true;
                    break;
                }
                return Errorf($"unexpected character: {GoFormat.QuoteRune(r)}");
        }
        return State.Statements;
    }

    private State LexInsideBraces()
    {
        if (HasPrefix((byte)'#'))
        {
            return State.LineComment;
        }

        var r = Next();
        switch (r)
        {
            case EofRune:
                return Errorf("unexpected end of input inside braces");
            case ' ' or '\t' or '\n' or '\r':
                return State.Space;
            case ',':
                Emit(TokenKind.Comma);
                break;
            case '"' or '\'':
                _stringOpen = r;
                return State.String;
            case '`':
                _stringOpen = r;
                return State.RawString;
            case '=':
                if (Next() == '~')
                {
                    Emit(TokenKind.EqlRegex);
                    break;
                }
                Backup();
                Emit(TokenKind.Eql);
                break;
            case '!':
            {
                var nr = Next();
                if (nr == '~')
                {
                    Emit(TokenKind.NeqRegex);
                }
                else if (nr == '=')
                {
                    Emit(TokenKind.Neq);
                }
                else
                {
                    return Errorf($"unexpected character after '!' inside braces: {GoFormat.QuoteRune(nr)}");
                }
                break;
            }
            case '{':
                return Errorf($"unexpected left brace {GoFormat.QuoteRune(r)}");
            case '}':
                Emit(TokenKind.RightBrace);
                _braceOpen = false;
                return State.Statements;
            default:
                if (IsAlpha(r))
                {
                    Backup();
                    return State.Identifier;
                }
                return Errorf($"unexpected character inside braces: {GoFormat.QuoteRune(r)}");
        }
        return State.InsideBraces;
    }

    private State LexSpace()
    {
        while (IsSpace(Peek()))
        {
            Next();
        }
        Ignore();
        return State.Statements;
    }

    private State LexLineComment()
    {
        _pos++; // the '#'
        int r;
        do
        {
            r = Next();
        }
        while (!IsEndOfLine(r) && r != EofRune);
        Backup();
        Emit(TokenKind.Comment);
        return State.Statements;
    }

    private State LexIdentifier()
    {
        while (IsAlphaNumeric(Next()))
        {
        }
        Backup();
        Emit(TokenKind.Identifier);
        return State.Statements;
    }

    private State LexKeywordOrIdentifier()
    {
        int r;
        do
        {
            r = Next();
        }
        while (IsAlphaNumeric(r) || r == ':');
        Backup();
        var word = Slice(_start, _pos);
        if (TokenKinds.TryGetKeyword(word, out var kind))
        {
            Emit(kind);
        }
        else
        {
            Emit(word.Contains(':') ? TokenKind.MetricIdentifier : TokenKind.Identifier);
        }
        return State.Statements;
    }
}
