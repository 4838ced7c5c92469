using Microsoft.Extensions.Logging;

namespace OrleansExemplars.Grains.Wal;

public sealed partial class SiloExemplarWal
{
    private void LogDisabled() => logger.LogWarning(
        "The exemplar WAL is disabled (Wal:Enabled=false): exemplars acknowledged since a ring was last persisted are lost if this silo crashes");

    private void LogOpened(string path) => logger.LogInformation("Exemplar WAL at {Directory}", path);

    private void LogClosedClean(string path) =>
        logger.LogInformation("Exemplar WAL {Directory} closed and deleted: every grain had persisted its ring", path);

    private void LogClosedDirty(string path, int dirty) => logger.LogWarning(
        "Exemplar WAL {Directory} closed with {Dirty} grains not persisted; it is replayed at the next start", path, dirty);

    private void LogOverSize(long size, long max, int owners) => logger.LogInformation(
        "Exemplar WAL at {Size} bytes exceeds Wal:MaxBytes ({Max}); asking {Owners} grains to persist now", size, max, owners);

    private void LogMaintenanceFailed(Exception e) => logger.LogError(e, "Exemplar WAL maintenance failed; retrying");

    private void LogFault(WalFault fault) => logger.LogError(fault.Error,
        "Exemplar WAL: {Operation} {Path} failed; appends fail (the grains write their rings before acknowledging) until the log writes again",
        fault.Operation, fault.Path);

    private void LogDirectorySyncFailed(Exception e, string during) =>
        logger.LogError(e, "Exemplar WAL: directory fsync failed after {During}", during);

    private void LogEndedUnpersisted(WalOwner owner) => logger.LogWarning(
        "Metric grain {Owner} ended with logged exemplars its stored ring does not hold; they are replayed into the grain's live activation",
        owner);

    private void LogFoundGone(WalOwner owner, Guid live) => logger.LogWarning(
        "Metric grain {Owner} left records unpersisted and the grain now answers from activation {Live}: replaying them there", owner, live);

    private void LogPersistRequestFailed(Exception e, string metric, int owners) => logger.LogWarning(e,
        "Asking metric grain {Metric} (one of {Owners}) to write its ring failed; its WAL records stay until it does", metric, owners);

    private void LogReplayProblem(string directory, string problem) => logger.LogWarning("WAL replay of {Directory}: {Problem}", directory, problem);

    private void LogReplayed(string directory, WalReplayStats stats, ReplayResult result, long elapsedMs) => logger.LogInformation(
        "Replayed WAL {Directory}: {Records} records, {Exemplars} exemplars for {Metrics} metrics, {Added} not yet in the grains' stored rings, " +
        "in {Batches} batches of at most {Peak} exemplars, in {Elapsed} ms",
        directory, stats.Records, stats.Exemplars, result.Grains, result.Added, stats.Batches, stats.PeakHeldExemplars, elapsedMs);

    private void LogRehomed(int owners, long exemplars, long added) => logger.LogInformation(
        "Replayed the records of {Owners} metric grain activations that ended without writing their rings ({Exemplars} exemplars, {Added} " +
        "not in the live rings) into their grains' live activations, which wrote them; the log may drop them now", owners, exemplars, added);

    private void LogRehomeFailed(Exception e, int owners, TimeSpan delay) => logger.LogWarning(e,
        "Could not yet replay the records of {Owners} ended metric grain activations into their grains; the log keeps them, retrying in {Delay}",
        owners, delay);

    private void LogActivationsChanged(string directory, int grains) => logger.LogInformation(
        "WAL replay from {Directory}: {Grains} grains changed activation while being replayed into; sending them their exemplars again",
        directory, grains);

    private void LogReplayCallFailed(Exception e, string metric, int attempt) =>
        logger.LogWarning(e, "WAL replay to metric grain {Metric} failed (attempt {Attempt}); retrying", metric, attempt);
}
