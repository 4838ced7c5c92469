namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>The type an expression evaluates to (Prometheus' <c>parser.ValueType</c>).</summary>
public enum ExprType
{
    None,
    Vector,
    Scalar,
    Matrix,
    String,
}

public static class ExprTypes
{
    /// <summary>Prometheus' internal name (<c>"vector"</c>, <c>"matrix"</c>, ...).</summary>
    public static string InternalName(this ExprType t) => t switch
    {
        ExprType.Vector => "vector",
        ExprType.Scalar => "scalar",
        ExprType.Matrix => "matrix",
        ExprType.String => "string",
        _ => "none",
    };

    /// <summary>Prometheus' <c>DocumentedType</c> (<c>"instant vector"</c>, <c>"range vector"</c>, ...).</summary>
    public static string Documented(this ExprType t) => t switch
    {
        ExprType.Vector => "instant vector",
        ExprType.Matrix => "range vector",
        _ => t.InternalName(),
    };
}
