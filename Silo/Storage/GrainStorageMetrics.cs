using System.Diagnostics.Metrics;
using OrleansExemplars.Grains;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// The silo's grain storage: what it found wrong with what it read (<c>oe_grain_states_quarantined_total</c>), and
/// how often it wrote and deleted states (<c>oe_grain_state_{writes,clears}_total{state}</c>).
/// </summary>
public sealed class GrainStorageMetrics
{
    public const string MeterName = "OrleansExemplars.Storage";

    public const string QuarantinedInstrument = "oe_grain_states_quarantined";

    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _writes;
    private readonly Counter<long> _clears;

    public GrainStorageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _quarantined = meter.CreateCounter<long>(QuarantinedInstrument,
            description: "Stored grain states (rings, catalog shards) that did not decode: moved to quarantine, the grain started empty.");
        _writes = meter.CreateCounter<long>("oe_grain_state_writes",
            description: "Grain states written to storage, per state (ring: a metric grain's write-behind; catalog: a catalog shard).");
        _clears = meter.CreateCounter<long>("oe_grain_state_clears",
            description: "Grain states deleted from storage, per state (a ring forgotten after Exemplars:Retention).");
        // Exported at 0 from the start, so an alert on any increase works from the first scrape.
        _quarantined.Add(0);
        foreach (var state in new[] { StorageNames.RingState, StorageNames.CatalogState })
        {
            _writes.Add(0, new KeyValuePair<string, object?>("state", state));
            _clears.Add(0, new KeyValuePair<string, object?>("state", state));
        }
    }

    public void Quarantined() => _quarantined.Add(1);

    public void Written(string stateName) => _writes.Add(1, new KeyValuePair<string, object?>("state", stateName));

    public void Cleared(string stateName) => _clears.Add(1, new KeyValuePair<string, object?>("state", stateName));
}
