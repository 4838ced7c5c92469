using System.Text;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// A PromQL parse (or type check) error. <see cref="Exception.Message"/> is formatted like Prometheus'
/// <c>ParseErr.Error()</c>: <c>"&lt;line&gt;:&lt;col&gt;: parse error: &lt;detail&gt;"</c>, where line and column are
/// computed from UTF-8 byte offsets as Prometheus does.
/// </summary>
public sealed class PromQLParseException : Exception
{
    public PromQLParseException(string query, int start, int end, string detail)
        : base(Format(query, start, detail))
    {
        Query = query;
        Start = start;
        End = end;
        Detail = detail;
    }

    /// <summary>The query that failed to parse.</summary>
    public string Query { get; }

    /// <summary>Start of the offending range, as a UTF-8 byte offset into <see cref="Query"/>.</summary>
    public int Start { get; }

    /// <summary>End (exclusive) of the offending range, as a UTF-8 byte offset into <see cref="Query"/>.</summary>
    public int End { get; }

    /// <summary>The error without position prefix, e.g. <c>unexpected identifier "bar"</c>.</summary>
    public string Detail { get; }

    private static string Format(string query, int start, string detail)
    {
        var bytes = Encoding.UTF8.GetBytes(query);
        if (start < 0 || start > bytes.Length)
        {
            return $"invalid position: parse error: {detail}";
        }
        var line = 1;
        var lastLineBreak = -1;
        for (var i = 0; i < start; i++)
        {
            if (bytes[i] == '\n')
            {
                lastLineBreak = i;
                line++;
            }
        }
        return $"{line}:{start - lastLineBreak}: parse error: {detail}";
    }
}
