using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansExemplars.Grains.Wal;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// Grain storage in local files: one file per grain state at
/// <c>&lt;root&gt;/&lt;grain type&gt;/&lt;state name&gt;/&lt;grain key&gt;.state</c>, every part encoded by
/// <see cref="GrainFileNames"/>. A write goes to a temporary file that is fsync'd and renamed over the old one (then the
/// directory is fsync'd), so after a crash a state is either the old or the new one, never torn. ETags work as in
/// Orleans' own providers: a write or clear whose ETag is not the stored one throws
/// <see cref="InconsistentStateException"/>. A file that does not read back (<see cref="GrainStateFile"/>'s checksums,
/// or its payload does not deserialize) throws <see cref="CorruptGrainStateException"/>, and
/// <see cref="QuarantineAsync"/> moves it under <see cref="QuarantineDirectoryName"/>.
/// </summary>
/// <remarks>
/// Orleans 10.4.2 ships a file provider too (<c>Orleans.Persistence.FileStorage</c>), which names files by a hash of
/// the grain identity; we want names an operator can map back to metrics, and the directory fsync.
/// The compare-and-swap is atomic among the silos of one process (test clusters, the embedded silo); silos in separate
/// processes must not share a directory.
/// </remarks>
public sealed class FileGrainStorage(
    string name,
    string rootDirectory,
    IGrainStorageSerializer serializer,
    IActivatorProvider activators,
    ILogger<FileGrainStorage> logger) : IGrainStorage, IGrainStateQuarantine, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>
    /// Where stored states that do not decode are moved, under the root. Encoded names never start with '.'
    /// (<see cref="GrainFileNames"/> escapes it), so no grain type's directory can be called that.
    /// </summary>
    public const string QuarantineDirectoryName = ".quarantine";

    private const string Extension = ".state";
    private const string TempExtension = ".state.tmp";

    /// <summary>Shared by every silo in the process: two test-cluster silos on one directory must not interleave a check and a rename.</summary>
    private static readonly SemaphoreSlim[] Locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public string RootDirectory { get; } = Path.GetFullPath(rootDirectory);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<FileGrainStorage>(name), ServiceLifecycleStage.ApplicationServices, Init);

    /// <summary>Fails the silo's start when the directory cannot be written, instead of failing the first grain write.</summary>
    private Task Init(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(RootDirectory);
            var probe = Path.Combine(RootDirectory, $".probe-{Guid.NewGuid():N}{TempExtension}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Storage:File:Directory '{RootDirectory}' is not a writable directory: {e.Message}", e);
        }
        logger.LogInformation("Grain storage '{Name}' keeps grain state in files under {Directory}", name, RootDirectory);
        return Task.CompletedTask;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        Record? record;
        using (await LockAsync(path, cancellationToken))
        {
            record = await ReadAsync(path, stateName, grainId, headerOnly: false, cancellationToken);
        }
        if (record is null)
        {
            Reset(grainState);
            return;
        }
        try
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(record.Payload));
        }
        catch (CorruptGrainStateException e)
        {
            // The serializer saw the payload only; the quarantine keeps (and the log names) the whole file.
            throw new CorruptGrainStateException($"{path}: {e.Message}", record.File, e.InnerException);
        }
        grainState.ETag = record.ETag;
        grainState.RecordExists = true;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        var payload = serializer.Serialize(grainState.State).ToMemory();
        var etag = Guid.NewGuid();
        using (await LockAsync(path, cancellationToken))
        {
            var stored = await ReadAsync(path, stateName, grainId, headerOnly: true, cancellationToken);
            CheckETag("Write", stored?.ETag, grainState.ETag, stateName, grainId);
            var directory = Path.GetDirectoryName(path)!;
            var created = !Directory.Exists(directory);
            Directory.CreateDirectory(directory);
            var temp = path[..^Extension.Length] + TempExtension;
            // FileMode.Create: a temp file a crash left behind is simply overwritten (the lock makes us its only writer).
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await file.WriteAsync(GrainStateFile.Header(etag, System.Text.Encoding.UTF8.GetBytes(stateName), grainId.Type.AsSpan(),
                    grainId.Key.AsSpan(), payload.Span), cancellationToken);
                await file.WriteAsync(payload, cancellationToken);
                await file.FlushAsync(cancellationToken);
                WalFsync.File(file.SafeFileHandle, temp); // Flush(true) returns normally when fsync fails
            }
            File.Move(temp, path, overwrite: true);
            // The file holds this ETag now: if the directory's fsync fails below, the write still fails (a crash may
            // bring the old file back), but the grain's retry must not be refused as a stale write.
            grainState.ETag = etag.ToString("N");
            grainState.RecordExists = true;
            SyncDirectory(directory);
            if (created) SyncAncestors(directory);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        using (await LockAsync(path, cancellationToken))
        {
            var stored = await ReadAsync(path, stateName, grainId, headerOnly: true, cancellationToken);
            if (stored is not null)
            {
                CheckETag("Clear", stored.ETag, grainState.ETag, stateName, grainId);
                File.Delete(path);
                SyncDirectory(Path.GetDirectoryName(path)!);
            }
        }
        Reset(grainState);
    }

    /// <summary>Where a grain's state lives; public so tests and operators can find it.</summary>
    public string PathOf(string stateName, GrainId grainId) => Path.Combine(RootDirectory,
        GrainFileNames.Encode(grainId.Type.AsSpan()), GrainFileNames.Encode(stateName), GrainFileNames.Encode(grainId.Key.AsSpan()) + Extension);

    private void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private void CheckETag(string operation, string? stored, string? current, string stateName, GrainId grainId)
    {
        if (string.Equals(stored, current, StringComparison.Ordinal)) return;
        throw new InconsistentStateException(
            $"{operation} of state '{stateName}' of {grainId} in grain storage '{name}': the stored ETag is {stored ?? "(none)"}, the grain had {current ?? "(none)"}.",
            stored, current);
    }

    /// <param name="File">The whole file (empty when only the header was read).</param>
    private sealed record Record(string ETag, byte[] File, ReadOnlyMemory<byte> Payload);

    /// <exception cref="CorruptGrainStateException">The file is not a state file of this grain that reads back.</exception>
    private static async Task<Record?> ReadAsync(string path, string stateName, GrainId grainId, bool headerOnly, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            // A header is small, but keys can be long: read whole files unless only the ETag is wanted.
            bytes = headerOnly ? await ReadPrefixAsync(path, GrainStateFile.PrefixBytes, cancellationToken) : await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            if (headerOnly) return new Record(GrainStateFile.ReadETag(bytes).ToString("N"), [], ReadOnlyMemory<byte>.Empty);
            var (etag, payloadOffset) = GrainStateFile.Read(bytes, System.Text.Encoding.UTF8.GetBytes(stateName),
                grainId.Type.AsSpan(), grainId.Key.AsSpan());
            return new Record(etag.ToString("N"), bytes, bytes.AsMemory(payloadOffset));
        }
        catch (GrainStateFileFormatException e)
        {
            throw new CorruptGrainStateException($"{path}: {e.Message}", bytes, e);
        }
    }

    /// <summary>
    /// Moves the state's file to <c>&lt;root&gt;/.quarantine/&lt;grain type&gt;/&lt;state&gt;/&lt;key&gt;.&lt;UTC time&gt;.state</c>:
    /// a rename within the root's file system, so the bytes are kept exactly and the grain's next write starts a new file.
    /// </summary>
    public async Task<string> QuarantineAsync(string stateName, GrainId grainId, CorruptGrainStateException corruption,
        CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        var relative = Path.GetRelativePath(RootDirectory, path);
        var target = Path.Combine(RootDirectory, QuarantineDirectoryName,
            $"{relative[..^Extension.Length]}.{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}{Extension}");
        using (await LockAsync(path, cancellationToken))
        {
            var directory = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(directory);
            File.Move(path, target);
            SyncDirectory(directory);
            SyncAncestors(directory);
            SyncDirectory(Path.GetDirectoryName(path)!);
        }
        return target;
    }

    private static async Task<byte[]> ReadPrefixAsync(string path, int length, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
        var buffer = new byte[length];
        var read = await file.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false, cancellationToken);
        return buffer[..read];
    }

    private static async Task<IDisposable> LockAsync(string path, CancellationToken cancellationToken)
    {
        var gate = Locks[(StringComparer.Ordinal.GetHashCode(path) & int.MaxValue) % Locks.Length];
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    /// <summary>A new directory's own entry lives in its parent: fsync up to the root so the state file stays reachable after a crash.</summary>
    private void SyncAncestors(string directory)
    {
        for (var dir = Path.GetDirectoryName(directory); dir is not null && dir.Length >= RootDirectory.Length; dir = Path.GetDirectoryName(dir))
        {
            SyncDirectory(dir);
        }
    }

    /// <summary>
    /// fsync of a directory makes a rename or delete in it durable; a failure throws
    /// <see cref="WalDirectorySyncException"/>, so the write fails instead of claiming a state a crash may lose.
    /// </summary>
    private static void SyncDirectory(string directory) => WalFsync.Directory(directory);
}
