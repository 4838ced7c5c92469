namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// Compiles a parsed RE2 expression into a Thompson NFA program for <see cref="Re2Nfa"/>: one instruction per
/// consuming step, split, assertion. Counted repetitions are unrolled (the parser already limits them to 1000
/// copies, as Go does). Built back to front: each node is compiled knowing the instruction that follows it.
/// </summary>
internal static class Re2Program
{
    public enum Op : byte
    {
        Rune,
        Split,
        Assert,
        Match,
    }

    /// <param name="Out">The next instruction (for <see cref="Op.Split"/>, the first branch).</param>
    /// <param name="Out1">The second branch of a <see cref="Op.Split"/>.</param>
    public readonly record struct Inst(Op Op, int Out, int Out1 = 0, CodePointSet? Set = null, Re2AssertionKind Assertion = default);

    public static (Inst[] Program, int Start) Compile(Re2Node node)
    {
        var program = new List<Inst> { new(Op.Match, 0) };
        var start = Emit(program, node, next: 0);
        return ([.. program], start);
    }

    private static int Add(List<Inst> program, Inst inst)
    {
        program.Add(inst);
        return program.Count - 1;
    }

    private static int Emit(List<Inst> program, Re2Node node, int next)
    {
        switch (node)
        {
            case Re2Literal lit:
                return Add(program, new Inst(Op.Rune, next, Set: LiteralSet(lit)));
            case Re2CharClass cls:
                if (cls.UnsupportedScript is { } script)
                {
                    throw new NotSupportedException($"Unicode script class \\p{{{script}}}");
                }
                return Add(program, new Inst(Op.Rune, next, Set: cls.Set));
            case Re2Assertion a:
                return Add(program, new Inst(Op.Assert, next, Assertion: a.Kind));
            case Re2Group g:
                return Emit(program, g.Sub, next);
            case Re2Concat c:
                for (var i = c.Subs.Count - 1; i >= 0; i--)
                {
                    next = Emit(program, c.Subs[i], next);
                }
                return next;
            case Re2Alternate alt:
            {
                var branch = Emit(program, alt.Subs[^1], next);
                for (var i = alt.Subs.Count - 2; i >= 0; i--)
                {
                    branch = Add(program, new Inst(Op.Split, Emit(program, alt.Subs[i], next), branch));
                }
                return branch;
            }
            case Re2Repeat r:
                return EmitRepeat(program, r, next);
            default:
                throw new InvalidOperationException($"unknown regex node {node.GetType().Name}");
        }
    }

    private static int EmitRepeat(List<Inst> program, Re2Repeat r, int next)
    {
        var tail = next;
        if (r.Max < 0)
        {
            // x* as a loop: split → (x → back to the split) | next.
            var loop = Add(program, new Inst(Op.Split, 0, next));
            var body = Emit(program, r.Sub, loop);
            program[loop] = program[loop] with { Out = body };
            if (r.Min == 0)
            {
                return loop;
            }
            // x{n,} = x{n-1} then x+ (whose entry is the body: x, then the loop).
            tail = body;
            for (var i = 1; i < r.Min; i++)
            {
                tail = Emit(program, r.Sub, tail);
            }
            return tail;
        }
        // x{n,m} = x{n} then (x(x(…)?)?)? with m - n optional copies.
        for (var i = r.Min; i < r.Max; i++)
        {
            tail = Add(program, new Inst(Op.Split, Emit(program, r.Sub, tail), next));
        }
        for (var i = 0; i < r.Min; i++)
        {
            tail = Emit(program, r.Sub, tail);
        }
        return tail;
    }

    private static CodePointSet LiteralSet(Re2Literal lit)
    {
        var builder = new CodePointSet.Builder();
        foreach (var rune in lit.FoldCase ? Re2Unicode.Orbit(lit.Rune) : [lit.Rune])
        {
            builder.Add(rune, rune);
        }
        return builder.ToSet();
    }
}
