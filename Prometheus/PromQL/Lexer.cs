using System.Text;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// The PromQL lexer of Prometheus 2.42 (<c>promql/parser/lex.go</c>), re-implemented as a state machine over the
/// UTF-8 bytes of the query so that positions are byte offsets, exactly as in Prometheus. It is stateful (braces,
/// brackets and parentheses change how the following characters are lexed) and produces one item per
/// <see cref="NextToken"/> call; after an <see cref="TokenKind.Error"/> item it only produces
/// <see cref="TokenKind.Eof"/>.
/// </summary>
public sealed partial class Lexer
{
    private const int EofRune = -1;

    private enum State
    {
        Statements,
        InsideBraces,
        LineComment,
        Space,
        String,
        RawString,
        Duration,
        NumberOrDuration,
        KeywordOrIdentifier,
        Identifier,
        Done,
    }

    private readonly byte[] _input;
    private State _state = State.Statements;
    private int _pos;
    private int _start;
    private int _width;
    private Token _item;
    private bool _scanned;

    private int _parenDepth;
    private bool _braceOpen;
    private bool _bracketOpen;
    private bool _gotColon;
    private int _stringOpen;

    public Lexer(string input)
    {
        Input = input;
        _input = Encoding.UTF8.GetBytes(input);
    }

    /// <summary>The query being lexed.</summary>
    public string Input { get; }

    /// <summary>The query as UTF-8; all positions are offsets into this.</summary>
    public ReadOnlySpan<byte> InputBytes => _input;

    /// <summary>Lexes all tokens up to and including the first <see cref="TokenKind.Eof"/> or
    /// <see cref="TokenKind.Error"/> (comments included).</summary>
    public static IReadOnlyList<Token> Tokenize(string input)
    {
        var lexer = new Lexer(input);
        var result = new List<Token>();
        while (true)
        {
            var t = lexer.NextToken();
            result.Add(t);
            if (t.Kind is TokenKind.Eof or TokenKind.Error)
            {
                return result;
            }
        }
    }

    /// <summary>Scans and returns the next item (comments are returned too).</summary>
    public Token NextToken()
    {
        _scanned = false;
        if (_state == State.Done)
        {
            Emit(TokenKind.Eof);
        }
        while (!_scanned)
        {
            _state = Step(_state);
        }
        return _item;
    }

    private State Step(State state) => state switch
    {
        State.Statements => LexStatements(),
        State.InsideBraces => LexInsideBraces(),
        State.LineComment => LexLineComment(),
        State.Space => LexSpace(),
        State.String => LexString(),
        State.RawString => LexRawString(),
        State.Duration => LexDuration(),
        State.NumberOrDuration => LexNumberOrDuration(),
        State.KeywordOrIdentifier => LexKeywordOrIdentifier(),
        State.Identifier => LexIdentifier(),
        _ => throw new InvalidOperationException($"lexer state {state}"),
    };

    // ---- primitive operations (as in lex.go) ----

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _width = 0;
            return EofRune;
        }
        int r;
        var b = _input[_pos];
        if (b < 0x80)
        {
            r = b;
            _width = 1;
        }
        else if (System.Text.Rune.DecodeFromUtf8(_input.AsSpan(_pos), out var rune, out var consumed) ==
                 System.Buffers.OperationStatus.Done)
        {
            r = rune.Value;
            _width = consumed;
        }
        else
        {
            r = 0xFFFD;
            _width = 1;
        }
        _pos += _width;
        return r;
    }

    private int Peek()
    {
        var r = Next();
        Backup();
        return r;
    }

    private void Backup() => _pos -= _width;

    private string Slice(int from, int to) => Encoding.UTF8.GetString(_input, from, to - from);

    private void Emit(TokenKind kind)
    {
        _item = new Token(kind, _start, Slice(_start, _pos));
        _start = _pos;
        _scanned = true;
    }

    private void Ignore() => _start = _pos;

    private bool Accept(string valid)
    {
        var r = Next();
        if (r is >= 0 and < 0x80 && valid.Contains((char)r))
        {
            return true;
        }
        Backup();
        return false;
    }

    private void AcceptRun(string valid)
    {
        while (Accept(valid))
        {
        }
    }

    private State Errorf(string message)
    {
        _item = new Token(TokenKind.Error, _start, message);
        _scanned = true;
        return State.Done;
    }

    private bool HasPrefix(byte c) => _pos < _input.Length && _input[_pos] == c;

    internal static bool IsSpace(int r) => r is ' ' or '\t' or '\n' or '\r';

    private static bool IsEndOfLine(int r) => r is '\r' or '\n';

    internal static bool IsDigit(int r) => r is >= '0' and <= '9';

    internal static bool IsAlpha(int r) => r == '_' || r is >= 'a' and <= 'z' || r is >= 'A' and <= 'Z';

    internal static bool IsAlphaNumeric(int r) => IsAlpha(r) || IsDigit(r);

    /// <summary>Whether <paramref name="s"/> is a valid label name (<c>[a-zA-Z_][a-zA-Z0-9_]*</c>).</summary>
    public static bool IsLabel(string s)
    {
        if (s.Length == 0 || !IsAlpha(s[0]))
        {
            return false;
        }
        foreach (var c in s.AsSpan(1))
        {
            if (!IsAlphaNumeric(c))
            {
                return false;
            }
        }
        return true;
    }
}
