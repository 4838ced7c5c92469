namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>A PromQL function signature. <see cref="Variadic"/>: 0 = exactly <see cref="ArgTypes"/>; n &gt; 0 = the
/// last argument type may be omitted or repeated up to n times in total; -1 = unbounded repetition.</summary>
public sealed record Function(string Name, IReadOnlyList<ExprType> ArgTypes, int Variadic, ExprType ReturnType);

/// <summary>The function table of Prometheus 2.42 (<c>promql/parser/functions.go</c>).</summary>
public static class Functions
{
    private const ExprType V = ExprType.Vector;
    private const ExprType M = ExprType.Matrix;
    private const ExprType S = ExprType.Scalar;
    private const ExprType Str = ExprType.String;

    private static readonly Dictionary<string, Function> Table = Build(
        F("abs", V), F("absent", V), F("absent_over_time", M), F("acos", V), F("acosh", V), F("asin", V),
        F("asinh", V), F("atan", V), F("atanh", V), F("avg_over_time", M), F("ceil", V), F("changes", M),
        F("clamp", V, S, S), F("clamp_max", V, S), F("clamp_min", V, S), F("cos", V), F("cosh", V),
        F("count_over_time", M), Opt("days_in_month", V), Opt("day_of_month", V), Opt("day_of_week", V),
        Opt("day_of_year", V), F("deg", V), F("delta", M), F("deriv", M), F("exp", V), F("floor", V),
        F("histogram_count", V), F("histogram_sum", V), F("histogram_fraction", S, S, V),
        F("histogram_quantile", S, V), F("holt_winters", M, S, S), Opt("hour", V), F("idelta", M),
        F("increase", M), F("irate", M), F("label_replace", V, Str, Str, Str, Str),
        new Function("label_join", [V, Str, Str, Str], -1, V), F("last_over_time", M), F("ln", V), F("log10", V),
        F("log2", V), F("max_over_time", M), F("min_over_time", M), Opt("minute", V), Opt("month", V),
        new Function("pi", [], 0, S), F("predict_linear", M, S), F("present_over_time", M),
        F("quantile_over_time", S, M), F("rad", V), F("rate", M), F("resets", M),
        new Function("round", [V, S], 1, V), new Function("scalar", [V], 0, S), F("sgn", V), F("sin", V),
        F("sinh", V), F("sort", V), F("sort_desc", V), F("sqrt", V), F("stddev_over_time", M),
        F("stdvar_over_time", M), F("sum_over_time", M), F("tan", V), F("tanh", V),
        new Function("time", [], 0, S), F("timestamp", V), F("vector", S), Opt("year", V));

    /// <summary>All functions by name.</summary>
    public static IReadOnlyDictionary<string, Function> All => Table;

    public static bool TryGet(string name, out Function function) => Table.TryGetValue(name, out function!);

    // A vector-returning function with fixed arguments.
    private static Function F(string name, params ExprType[] args) => new(name, args, 0, ExprType.Vector);

    // A vector-returning function whose single argument may be omitted (e.g. hour(), defaulting to vector(time())).
    private static Function Opt(string name, ExprType arg) => new(name, [arg], 1, ExprType.Vector);

    private static Dictionary<string, Function> Build(params Function[] functions) =>
        functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
