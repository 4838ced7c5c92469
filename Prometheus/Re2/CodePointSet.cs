namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// A set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges: what an RE2 character class,
/// <c>.</c> or a case-folded literal matches, resolved once at parse time so that both matching engines (the .NET
/// translation and <see cref="Re2Nfa"/>) see the same set.
/// </summary>
internal sealed class CodePointSet
{
    public const int MaxRune = 0x10FFFF;

    private readonly int[] _bounds; // lo0, hi0, lo1, hi1, … ascending

    private CodePointSet(int[] bounds)
    {
        _bounds = bounds;
    }

    public static CodePointSet Empty { get; } = new([]);

    public static CodePointSet All { get; } = new([0, MaxRune]);

    public int RangeCount => _bounds.Length / 2;

    public bool IsEmpty => _bounds.Length == 0;

    public (int Lo, int Hi) this[int range] => (_bounds[2 * range], _bounds[2 * range + 1]);

    public IEnumerable<(int Lo, int Hi)> Ranges
    {
        get
        {
            for (var i = 0; i < _bounds.Length; i += 2)
            {
                yield return (_bounds[i], _bounds[i + 1]);
            }
        }
    }

    public bool Contains(int rune)
    {
        var bounds = _bounds;
        if (bounds.Length <= 8)
        {
            for (var i = 0; i < bounds.Length; i += 2)
            {
                if (rune < bounds[i]) return false;
                if (rune <= bounds[i + 1]) return true;
            }
            return false;
        }
        int lo = 0, hi = bounds.Length / 2 - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (rune < bounds[2 * mid]) hi = mid - 1;
            else if (rune > bounds[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>Whether every code point in [lo, hi] is in the set.</summary>
    public bool ContainsRange(int lo, int hi)
    {
        for (var i = 0; i < _bounds.Length; i += 2)
        {
            if (_bounds[i] <= lo && hi <= _bounds[i + 1]) return true;
        }
        return false;
    }

    /// <summary>The single code point of a one-element set, else -1.</summary>
    public int SingleRune => _bounds.Length == 2 && _bounds[0] == _bounds[1] ? _bounds[0] : -1;

    public CodePointSet Negate()
    {
        var result = new List<int>(_bounds.Length + 2);
        var next = 0;
        for (var i = 0; i < _bounds.Length; i += 2)
        {
            if (_bounds[i] > next)
            {
                result.Add(next);
                result.Add(_bounds[i] - 1);
            }
            next = _bounds[i + 1] + 1;
        }
        if (next <= MaxRune)
        {
            result.Add(next);
            result.Add(MaxRune);
        }
        return new CodePointSet([.. result]);
    }

    public CodePointSet Union(CodePointSet other)
    {
        var builder = new Builder();
        builder.Add(this);
        builder.Add(other);
        return builder.ToSet();
    }

    public CodePointSet Intersect(CodePointSet other) => Negate().Union(other.Negate()).Negate();

    public override string ToString() =>
        "[" + string.Join(",", Ranges.Select(r => r.Lo == r.Hi ? $"{r.Lo:X}" : $"{r.Lo:X}-{r.Hi:X}")) + "]";

    /// <summary>Collects ranges in any order, overlapping or not.</summary>
    public sealed class Builder
    {
        private readonly List<(int Lo, int Hi)> _ranges = [];

        public Builder Add(int lo, int hi)
        {
            if (lo <= hi)
            {
                _ranges.Add((lo, hi));
            }
            return this;
        }

        public Builder Add(CodePointSet set)
        {
            _ranges.AddRange(set.Ranges);
            return this;
        }

        public CodePointSet ToSet()
        {
            if (_ranges.Count == 0)
            {
                return Empty;
            }
            _ranges.Sort();
            var bounds = new List<int>(_ranges.Count * 2);
            var (lo, hi) = _ranges[0];
            foreach (var (l, h) in _ranges.Skip(1))
            {
                if (l <= hi + 1)
                {
                    hi = Math.Max(hi, h);
                    continue;
                }
                bounds.Add(lo);
                bounds.Add(hi);
                (lo, hi) = (l, h);
            }
            bounds.Add(lo);
            bounds.Add(hi);
            return new CodePointSet([.. bounds]);
        }
    }
}
