namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Internal carrier of the first parse/type error; turned into <see cref="PromQLParseException"/>.</summary>
internal sealed class ParseFailure(int start, int end, string detail) : Exception(detail)
{
    public int Start { get; } = start;
    public int End { get; } = end;

    public static ParseFailure At(PositionRange range, string detail) => new(range.Start, range.End, detail);
}
