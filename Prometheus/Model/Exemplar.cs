namespace OrleansExemplars.Prometheus.Model;

/// <summary>
/// An exemplar as Prometheus' <c>exemplar.Exemplar</c>: labels (usually a trace id), a value and a timestamp in
/// milliseconds. <see cref="HasTimestamp"/> is false when the sender sent timestamp 0, as Prometheus decodes it.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct Exemplar(
    [property: Id(0)] LabelSet Labels,
    [property: Id(1)] double Value,
    [property: Id(2)] long TimestampMs,
    [property: Id(3)] bool HasTimestamp)
{
    /// <summary>
    /// Prometheus' <c>Exemplar.Equals</c>: same labels and value (IEEE ==, so NaN is never a duplicate), and the same
    /// timestamp when either has one. Used to detect a resent exemplar, which is a silent no-op.
    /// </summary>
    public bool IsDuplicateOf(in Exemplar other)
    {
        if (!Labels.Equals(other.Labels)) return false;
        if ((HasTimestamp || other.HasTimestamp) && TimestampMs != other.TimestampMs) return false;
        return Value == other.Value;
    }
}
