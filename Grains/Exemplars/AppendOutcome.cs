namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// What <see cref="ExemplarRing.Append"/> did with an exemplar, or what it would do (<see cref="ExemplarRing.Validate"/>).
/// Each rejection mirrors one error of Prometheus 2.42's exemplar storage.
/// </summary>
public enum AppendOutcome
{
    /// <summary>Stored (or, from <see cref="ExemplarRing.Validate"/>, would be stored).</summary>
    Appended,

    /// <summary>
    /// Equal to its series' newest stored exemplar (<c>storage.ErrDuplicateExemplar</c>): Prometheus treats a resend as
    /// a silent no-op, not an error.
    /// </summary>
    Duplicate,

    /// <summary>Timestamp not after its series' newest stored exemplar (<c>storage.ErrOutOfOrderExemplar</c>).</summary>
    OutOfOrder,

    /// <summary>
    /// Label names and values together exceed <see cref="ExemplarRing.MaxLabelSetRunes"/> runes
    /// (<c>storage.ErrExemplarLabelLength</c>).
    /// </summary>
    LabelSetTooLong,

    /// <summary>The ring has capacity 0 (<c>storage.ErrExemplarsDisabled</c>).</summary>
    Disabled,
}
