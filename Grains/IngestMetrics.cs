using System.Diagnostics.Metrics;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains;

/// <summary>The silo's exemplar counters, named as Prometheus names its own (<c>prometheus_tsdb_exemplar_*</c>).</summary>
public sealed class IngestMetrics
{
    public const string MeterName = "OrleansExemplars.Grains";

    private readonly Counter<long> _appended;
    private readonly Counter<long> _outOfOrder;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _tooLong;
    private readonly Counter<long> _streamBatches;
    private readonly Counter<long> _shed;
    private readonly UpDownCounter<long> _ringExemplars;
    private readonly UpDownCounter<long> _ringSeries;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _appended = meter.CreateCounter<long>("oe_exemplars_appended", description: "Exemplars stored in rings.");
        _outOfOrder = meter.CreateCounter<long>("oe_exemplars_out_of_order",
            description: "Exemplars rejected because their timestamp was not after their series' newest.");
        _duplicates = meter.CreateCounter<long>("oe_exemplars_duplicate",
            description: "Exemplars ignored as resends of their series' newest.");
        _tooLong = meter.CreateCounter<long>("oe_exemplars_label_set_too_long",
            description: "Exemplars rejected because their labels exceed 128 runes.");
        _streamBatches = meter.CreateCounter<long>("oe_metric_grain_stream_batches",
            description: "Stream batches (one per metric per Kafka poll) metric grains received.");
        _shed = meter.CreateCounter<long>("oe_exemplars_shed",
            description: "Exemplars the silo's budget (Exemplars:MaxExemplarsPerSilo) took back from the rings holding the oldest.");
        _ringExemplars = meter.CreateUpDownCounter<long>("oe_ring_exemplars",
            description: "Exemplars held by the rings of this silo's active metric grains (prometheus_tsdb_exemplar_exemplars_in_storage).");
        _ringSeries = meter.CreateUpDownCounter<long>("oe_ring_series",
            description: "Series with exemplars in the rings of this silo's active metric grains.");
        _ringExemplars.Add(0);
        _ringSeries.Add(0);
        // Exported at 0 from the start, as Prometheus advises: a series that appears only with its first event makes
        // rate() and alerts on it blind until then.
        foreach (var counter in new[] { _appended, _outOfOrder, _duplicates, _tooLong, _streamBatches, _shed }) counter.Add(0);
    }

    public void RecordStreamBatch() => _streamBatches.Add(1);

    public void RecordShed(long exemplars)
    {
        if (exemplars > 0) _shed.Add(exemplars);
    }

    /// <summary>A grain's ring grew or shrank (activation, appends, replay, deactivation).</summary>
    public void RecordRingChange(long exemplars, long series)
    {
        if (exemplars != 0) _ringExemplars.Add(exemplars);
        if (series != 0) _ringSeries.Add(series);
    }

    public void RecordAppend(AppendResult result)
    {
        if (result.Appended > 0) _appended.Add(result.Appended);
        if (result.OutOfOrder > 0) _outOfOrder.Add(result.OutOfOrder);
        if (result.Duplicates > 0) _duplicates.Add(result.Duplicates);
        if (result.LabelSetTooLong > 0) _tooLong.Add(result.LabelSetTooLong);
    }
}
