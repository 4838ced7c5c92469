namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// RE2's own way of matching, for the patterns the .NET translation cannot express (ASCII word boundaries
/// <c>\b</c> and <c>\B</c>, or what <c>NonBacktracking</c> refuses): a Thompson NFA simulated over code points, all
/// states in step, so the work is at most (code points of the input) × (instructions of the program), whatever the
/// pattern. Only whether the whole input matches is computed (the pattern is anchored), so no captures or
/// priorities. A lone surrogate in the input counts as U+FFFD, as Go sees invalid UTF-8.
/// </summary>
internal sealed class Re2Nfa
{
    private const int NoRune = -1;

    // Per-thread state lists (matching never re-enters), so a match allocates nothing.
    [ThreadStatic] private static int[]? t_scratch;

    private readonly Re2Program.Inst[] _program;
    private readonly int _start;

    private Re2Nfa(Re2Program.Inst[] program, int start)
    {
        _program = program;
        _start = start;
    }

    public static Re2Nfa Compile(Re2Node node)
    {
        var (program, start) = Re2Program.Compile(node);
        return new Re2Nfa(program, start);
    }

    public int Size => _program.Length;

    public bool IsMatch(string input)
    {
        var n = _program.Length;
        var scratch = t_scratch;
        if (scratch is null || scratch.Length < 5 * n)
        {
            t_scratch = scratch = new int[Math.Max(5 * n, 256)];
        }
        var current = new StateList(scratch.AsSpan(0, n), scratch.AsSpan(n, n));
        var next = new StateList(scratch.AsSpan(2 * n, n), scratch.AsSpan(3 * n, n));
        var stack = scratch.AsSpan(4 * n, n);
        var pos = 0;
        var rune = Decode(input, 0, out var width);
        AddClosure(ref current, stack, _start, NoRune, rune);
        while (pos < input.Length)
        {
            if (current.Count == 0)
            {
                return false;
            }
            var after = pos + width;
            var following = Decode(input, after, out var followingWidth);
            next.Clear();
            for (var i = 0; i < current.Count; i++)
            {
                ref readonly var inst = ref _program[current[i]];
                if (inst.Op == Re2Program.Op.Rune && inst.Set!.Contains(rune))
                {
                    AddClosure(ref next, stack, inst.Out, rune, following);
                }
            }
            var swap = current;
            current = next;
            next = swap;
            rune = following;
            pos = after;
            width = followingWidth;
        }
        for (var i = 0; i < current.Count; i++)
        {
            if (_program[current[i]].Op == Re2Program.Op.Match)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds <paramref name="pc"/> and everything reachable from it without consuming input, at a position
    /// between <paramref name="before"/> and <paramref name="after"/> (<see cref="NoRune"/> at the ends).</summary>
    private void AddClosure(ref StateList list, Span<int> stack, int pc, int before, int after)
    {
        var top = 0;
        if (!list.Add(pc))
        {
            return;
        }
        stack[top++] = pc;
        while (top > 0)
        {
            ref readonly var inst = ref _program[stack[--top]];
            switch (inst.Op)
            {
                case Re2Program.Op.Split:
                    if (list.Add(inst.Out1)) stack[top++] = inst.Out1;
                    if (list.Add(inst.Out)) stack[top++] = inst.Out;
                    break;
                case Re2Program.Op.Assert when Holds(inst.Assertion, before, after):
                    if (list.Add(inst.Out)) stack[top++] = inst.Out;
                    break;
            }
        }
    }

    private static bool Holds(Re2AssertionKind kind, int before, int after) => kind switch
    {
        Re2AssertionKind.BeginText => before == NoRune,
        Re2AssertionKind.EndText => after == NoRune,
        Re2AssertionKind.BeginLine => before is NoRune or '\n',
        Re2AssertionKind.EndLine => after is NoRune or '\n',
        Re2AssertionKind.WordBoundary => IsWordRune(before) != IsWordRune(after),
        Re2AssertionKind.NoWordBoundary => IsWordRune(before) == IsWordRune(after),
        _ => false,
    };

    /// <summary>RE2's <c>\b</c> is ASCII: <c>[0-9A-Za-z_]</c>.</summary>
    private static bool IsWordRune(int rune) => rune is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';

    private static int Decode(string s, int i, out int width)
    {
        if (i >= s.Length)
        {
            width = 0;
            return NoRune;
        }
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }
        width = 1;
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    /// <summary>A sparse set of program counters in insertion order (Briggs–Torczon): O(1) add, test and clear,
    /// whatever the scratch arrays held before.</summary>
    private ref struct StateList(Span<int> dense, Span<int> sparse)
    {
        private readonly Span<int> _dense = dense;
        private readonly Span<int> _sparse = sparse;

        public int Count { get; private set; }

        public readonly int this[int i] => _dense[i];

        public bool Add(int pc)
        {
            var slot = _sparse[pc];
            if ((uint)slot < (uint)Count && _dense[slot] == pc)
            {
                return false;
            }
            _sparse[pc] = Count;
            _dense[Count++] = pc;
            return true;
        }

        public void Clear() => Count = 0;
    }
}
