using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>The forwarder shard's book of batches and the silo's byte budget, as plain classes.</summary>
public sealed class ForwardBatchLedgerTests
{
    private static ForwardBatch Batch(string id, int series = 10) =>
        new(id, Enumerable.Range(0, series)
            .Select(i => new ForwardSeries(LabelSet.From(("__name__", "m"), ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                [new Sample(i, 1_700_000_000_000)], []))
            .ToArray());

    [Fact]
    public void A_resend_of_a_queued_batch_joins_it_and_holds_no_more_memory()
    {
        var budget = new ForwardQueueBudget(1 << 20);
        var ledger = new ForwardBatchLedger(budget);
        var batch = Batch("r1/3of16");

        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(batch, parts: 10, mayRefuse: true, out var first));
        var held = budget.QueuedBytes;
        Assert.Equal(ForwardAdmission.Joined, ledger.Admit(batch, parts: 10, mayRefuse: true, out var again));

        Assert.Same(first, again);
        Assert.Equal(held, budget.QueuedBytes);
        Assert.Equal(ForwardQueueBudget.EstimateBytes(batch.Series), held);
        Assert.Equal(1, ledger.Queued);
    }

    [Fact]
    public void A_completed_batch_leaves_the_queued_set_with_no_caller_and_a_late_resend_is_not_sent_again()
    {
        var budget = new ForwardQueueBudget(1 << 20);
        var ledger = new ForwardBatchLedger(budget);
        var batch = Batch("r1/0of16");
        ledger.Admit(batch, parts: 1, mayRefuse: true, out _);

        ledger.Completed(batch.Id);

        Assert.Equal((0, 1, 0L), (ledger.Queued, ledger.Remembered, budget.QueuedBytes));
        Assert.Equal(ForwardAdmission.Done, ledger.Admit(batch, parts: 1, mayRefuse: true, out var pending));
        Assert.Null(pending);
    }

    [Fact]
    public void Only_the_last_completed_ids_are_remembered()
    {
        var ledger = new ForwardBatchLedger(new ForwardQueueBudget(1 << 20), rememberedBatches: 3);
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            ledger.Admit(Batch(id, 1), parts: 1, mayRefuse: true, out _);
            ledger.Completed(id);
        }

        Assert.Equal(3, ledger.Remembered);
        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(Batch("a", 1), 1, true, out _));
        Assert.Equal(ForwardAdmission.Done, ledger.Admit(Batch("d", 1), 1, true, out _));
    }

    [Fact]
    public void Past_the_cap_http_batches_are_refused_and_kafka_deliveries_taken_and_freed_bytes_let_them_in_again()
    {
        var one = ForwardQueueBudget.EstimateBytes(Batch("x").Series);
        var budget = new ForwardQueueBudget(2 * one);
        var ledger = new ForwardBatchLedger(budget);

        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(Batch("1"), 10, mayRefuse: true, out _));
        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(Batch("2"), 10, mayRefuse: true, out _));
        Assert.Equal(ForwardAdmission.Refused, ledger.Admit(Batch("3"), 10, mayRefuse: true, out var refused));
        Assert.Null(refused);
        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(Batch("kafka"), 10, mayRefuse: false, out _));
        Assert.Equal(3 * one, budget.QueuedBytes);

        ledger.Completed("1");
        ledger.Completed("kafka");
        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(Batch("3"), 10, mayRefuse: true, out _));
    }

    [Fact]
    public void A_batch_larger_than_the_cap_goes_when_nothing_else_is_queued()
    {
        var budget = new ForwardQueueBudget(64 * 1024);
        var ledger = new ForwardBatchLedger(budget);
        var huge = Batch("huge", 2000);
        Assert.True(ForwardQueueBudget.EstimateBytes(huge.Series) > budget.MaxBytes);

        Assert.Equal(ForwardAdmission.Admitted, ledger.Admit(huge, 2000, mayRefuse: true, out _));
        Assert.Equal(ForwardAdmission.Refused, ledger.Admit(Batch("small", 1), 1, mayRefuse: true, out _));
    }

    [Fact]
    public void Abandoning_the_queues_frees_their_bytes()
    {
        var budget = new ForwardQueueBudget(1 << 20);
        var ledger = new ForwardBatchLedger(budget);
        ledger.Admit(Batch("1"), 10, true, out _);
        ledger.Admit(Batch("2"), 10, false, out _);

        ledger.Abandon();

        Assert.Equal((0, 0L), (ledger.Queued, budget.QueuedBytes));
    }

    [Fact]
    public void The_estimate_grows_with_labels_samples_and_exemplars()
    {
        var labels = LabelSet.From(("__name__", "m"), ("job", "api"));
        var bare = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [new Sample(1, 1)], []));
        var moreSamples = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [new Sample(1, 1), new Sample(2, 2)], []));
        var withExemplar = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [new Sample(1, 1)],
            [new Exemplar(LabelSet.From(("trace_id", "0123456789abcdef")), 1, 1, true)]));
        var longerLabels = ForwardQueueBudget.EstimateBytes(new ForwardSeries(LabelSet.From(("__name__", "m"), ("job", new string('x', 100))),
            [new Sample(1, 1)], []));
        var block = ForwardQueueBudget.EstimateBytes(new ForwardSeries(new WriteRequestBlock(new byte[5000], 10, 10, 0, 1)));

        Assert.True(moreSamples > bare && withExemplar > bare + 32 && longerLabels >= bare + 2 * 97 && block > 5000,
            $"{bare} {moreSamples} {withExemplar} {longerLabels} {block}");
    }

    [Fact]
    public void Native_histograms_count_by_their_size_and_as_samples_of_a_request()
    {
        var labels = LabelSet.From(("__name__", "m"), ("job", "api"));
        var histogram = RemoteWrite.NativeHistogramWireTests.IntHistogram(1);
        var bare = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [], []));
        var one = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [], [], [histogram]));
        var two = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [], [], [histogram, histogram]));
        var withStarts = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [new Sample(1, 1)], [], null, [5]));
        var withoutStarts = ForwardQueueBudget.EstimateBytes(new ForwardSeries(labels, [new Sample(1, 1)], []));
        // Five spans, deltas and counts of 8 bytes each, beside the object itself.
        Assert.True(one >= bare + 160 + 7 * 8 && two - one == one - bare && withStarts == withoutStarts + 8,
            $"{bare} {one} {two} {withStarts} {withoutStarts}");
    }
}
