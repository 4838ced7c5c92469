using System.Diagnostics.Metrics;

namespace OrleansExemplars.Silo.Storage;

/// <summary>What the silo's grain storage found wrong with what it read (<c>oe_grain_states_quarantined_total</c>).</summary>
public sealed class GrainStorageMetrics
{
    public const string MeterName = "OrleansExemplars.Storage";

    public const string QuarantinedInstrument = "oe_grain_states_quarantined";

    private readonly Counter<long> _quarantined;

    public GrainStorageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _quarantined = meter.CreateCounter<long>(QuarantinedInstrument,
            description: "Stored grain states (rings, catalog shards) that did not decode: moved to quarantine, the grain started empty.");
        // Exported at 0 from the start, so an alert on any increase works from the first scrape.
        _quarantined.Add(0);
    }

    public void Quarantined() => _quarantined.Add(1);
}
