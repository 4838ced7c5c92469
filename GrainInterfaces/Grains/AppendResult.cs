namespace OrleansExemplars.GrainInterfaces;

/// <summary>What became of a batch of exemplars: stored, or why not (Prometheus counts each kind).</summary>
[GenerateSerializer, Immutable]
public readonly record struct AppendResult(
    [property: Id(0)] int Appended,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int OutOfOrder,
    [property: Id(3)] int LabelSetTooLong)
{
    public int Total => Appended + Duplicates + OutOfOrder + LabelSetTooLong;

    public static AppendResult operator +(AppendResult a, AppendResult b) =>
        new(a.Appended + b.Appended, a.Duplicates + b.Duplicates, a.OutOfOrder + b.OutOfOrder,
            a.LabelSetTooLong + b.LabelSetTooLong);
}
